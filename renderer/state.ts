/**
 * What the page knows: the latest sample per container, host states, the alert log, settings, and
 * short bounded series for sparklines and chart markers. Nothing here grows without bound.
 */
import type { Alert } from '../src/alerts/types.ts';
import type { Verdict } from '../src/alerts/verdict.ts';
import type { Snapshot } from '../src/api.ts';
import type { ContainerEvent, HostState, Sample } from '../src/model.ts';
import type { Settings } from '../src/settings/schema.ts';

const SPARK_POINTS = 60;
const MAX_ALERTS = 500;
const MAX_EVENTS_PER_KEY = 50;
/** Containers absent from their host's rounds this long are dropped from the page. */
const FORGET_AFTER_MS = 10 * 60_000;

export interface Row {
  readonly sample: Sample;
  /** When a round last carried this container. */
  readonly seenAt: number;
}

export class State {
  readonly hosts = new Map<string, HostState>();
  readonly rows = new Map<string, Row>();
  readonly spark = new Map<string, number[]>();
  readonly events = new Map<string, ContainerEvent[]>();
  alerts: Alert[] = [];
  settings: Settings;
  mutedUntil: number | null;
  /** What the monitor holds to be wrong now: every badge reads it, none judges a sample. */
  verdict: Verdict;

  constructor(snapshot: Snapshot) {
    this.settings = snapshot.settings;
    this.verdict = snapshot.verdict;
    this.mutedUntil = snapshot.mutedUntil;
    for (const host of snapshot.hosts) this.hosts.set(host.host, host);
    for (const sample of snapshot.samples) this.#put(sample, sample.ts);
    this.alerts = snapshot.alerts.slice(0, MAX_ALERTS);
  }

  round(host: string, ts: number, samples: readonly Sample[]): void {
    for (const sample of samples) if (sample.host === host) this.#put(sample, ts);
    for (const [key, row] of this.rows) {
      if (row.sample.host === host && ts - row.seenAt > FORGET_AFTER_MS) {
        this.rows.delete(key);
        this.spark.delete(key);
        this.events.delete(key);
      }
    }
  }

  host(state: HostState): void {
    this.hosts.set(state.host, state);
  }

  event(event: ContainerEvent): void {
    if (event.key === null || !this.rows.has(event.key)) return;
    const list = this.events.get(event.key) ?? [];
    list.push(event);
    if (list.length > MAX_EVENTS_PER_KEY) list.shift();
    this.events.set(event.key, list);
  }

  alert(alert: Alert): void {
    this.alerts.unshift(alert);
    if (this.alerts.length > MAX_ALERTS) this.alerts.length = MAX_ALERTS;
  }

  setSettings(settings: Settings, now: number): void {
    // A saved host the user removed is no longer watched: drop what the page held of it.
    const kept = new Set(settings.hosts.map((host) => host.name));
    for (const host of this.settings.hosts) {
      if (kept.has(host.name)) continue;
      this.hosts.delete(host.name);
      for (const [key, row] of this.rows) {
        if (row.sample.host !== host.name) continue;
        this.rows.delete(key);
        this.spark.delete(key);
        this.events.delete(key);
      }
    }
    this.settings = settings;
    const until = settings.alerts.muteUntil;
    this.mutedUntil = until !== null && until > now ? until : null;
  }

  #put(sample: Sample, seenAt: number): void {
    this.rows.set(sample.key, { sample, seenAt });
    if (sample.memUsageBytes === null) return;
    const series = this.spark.get(sample.key) ?? [];
    series.push(sample.memUsageBytes);
    if (series.length > SPARK_POINTS) series.shift();
    this.spark.set(sample.key, series);
  }
}
