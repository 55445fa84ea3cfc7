/**
 * Turns samples, lifecycle events and host states into alerts. No I/O: time comes from the
 * injected clock (noise control, mutes) and from the samples' own timestamps (growth and duration
 * rules, which care about the spacing of readings, not of deliveries). Every alert raised is added
 * to `log` and returned; muted ones carry `muted: true` so the notifier can skip them.
 *
 * The engine routes inputs to the rules and turns their notices into alerts; each rule is a module
 * of its own (memory-threshold, memory-trend, cpu-threshold, unhealthy, restart-loop, kills,
 * stack-memory, host-down), and the per-container conditions are listed once, in `track.ts`.
 */
import type { ContainerEvent, HostState, LogMatch, ProcessTable, Role, Sample } from '../model.ts';
import type { Clock } from '../util/clock.ts';
import { cpuThreshold } from './cpu-threshold.ts';
import { isUnhealthy, oomSnapshot } from './events.ts';
import { HostReachability } from './host-down.ts';
import { type HostKillCause, HostOomCounts } from './host-oom.ts';
import {
  expire,
  type Kill,
  type KillFigures,
  killNotice,
  onCounters,
  onDestroy,
  onEnd,
  onOom,
  onSignal,
  onStart,
  PEAK_WINDOW_MS,
  peakSince,
  settleEnded,
} from './kills.ts';
import { effectiveLimit } from './limit.ts';
import { expireHeld, onLogMatch, takeHeld } from './log-signature.ts';
import { AlertLog } from './log.ts';
import { memoryThreshold } from './memory-threshold.ts';
import { memoryTrend } from './memory-trend.ts';
import { isMuted, localMinuteOfDay } from './mute.ts';
import type { AlertFields, Notice } from './notice.ts';
import { onLifecycle, onRestartCount, restartLoop } from './restart-loop.ts';
import { hostMemoryOf } from './stack.ts';
import { StackMemory } from './stack-memory.ts';
import { activeConditions, endRun, newTrack, type Track } from './track.ts';
import { type ActiveAlert, type Alert, type AlertSettings, DEFAULT_ALERT_SETTINGS } from './types.ts';
import { unhealthy } from './unhealthy.ts';

export interface AlertEngineOptions {
  readonly settings?: AlertSettings;
  readonly clock: Pick<Clock, 'now'>;
  /** The host's memory in bytes when known better than samples and host states tell it. */
  readonly hostMemory?: (host: string) => number | null;
  /** Local minute of the day (0–1439) at a time, for quiet hours; the machine's local time by default. */
  readonly minuteOfDay?: (ts: number) => number;
  /** A log restored from disk to continue. */
  readonly log?: AlertLog;
}

/** Readings older than this are not "who held the memory" at the kill. */
const SNAPSHOT_MAX_AGE_MS = 2 * 60_000;
/** A container missing from its host's rounds this long is gone; its state is dropped. */
const FORGET_AFTER_MS = 10 * 60_000;

export class AlertEngine {
  readonly log: AlertLog;
  #settings: AlertSettings;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #hostMemoryOverride: ((host: string) => number | null) | undefined;
  readonly #minuteOfDay: (ts: number) => number;
  readonly #tracks = new Map<string, Track>();
  readonly #keyById = new Map<string, string>();
  readonly #stacks = new StackMemory();
  readonly #hosts = new HostReachability();
  readonly #hostOom = new HostOomCounts();
  /** Per host, the kills the containers' own counts have shown, summed. */
  readonly #explainedKills = new Map<string, number>();
  readonly #hostMemory = new Map<string, number>();

  constructor(options: AlertEngineOptions) {
    this.#settings = options.settings ?? DEFAULT_ALERT_SETTINGS;
    this.#clock = options.clock;
    this.#hostMemoryOverride = options.hostMemory;
    this.#minuteOfDay = options.minuteOfDay ?? localMinuteOfDay;
    this.log = options.log ?? new AlertLog();
  }

  get settings(): AlertSettings {
    return this.#settings;
  }

  /** Replaces the given top-level settings; the rest stay. Takes effect from the next input. */
  updateSettings(settings: Partial<AlertSettings>): void {
    this.#settings = { ...this.#settings, ...settings };
  }

  /**
   * One collection round of one host: every container's latest sample, and the host's own OOM
   * kill count where the collector can read it.
   */
  onRound(host: string, samples: readonly Sample[], hostOomKills?: number): Alert[] {
    const now = this.#clock.now();
    const out: Alert[] = [];
    for (const sample of samples) {
      if (sample.host === host) this.#sample(sample, now, out);
    }
    this.#hostOom.onRound(host, now, hostOomKills, this.#explainedKills.get(host) ?? 0);
    const hostBytes = this.#hostBytes(host, samples);
    for (const fields of this.#stacks.judge(host, samples, hostBytes, this.#settings, now)) {
      this.#emit(out, now, fields);
    }
    for (const t of this.#tracks.values()) if (t.host === host) this.#settle(out, now, t);
    this.#forgetGone(host, now);
    return out;
  }

  /** A log line a signature knows. */
  onLogMatch(match: LogMatch): Alert[] {
    const now = this.#clock.now();
    const out: Alert[] = [];
    const t = this.#track(match.key, match.host, match.id, now);
    if (t.name === t.key) t.name = match.name;
    // The last kill told or counted: one the window folded into an earlier alert is still that kill.
    const kills = { lastAt: Math.max(t.kills.raisedAt, t.kills.countedAt), pending: t.kills.held !== null };
    const notice = onLogMatch(t.logs, match, t.name, kills, this.#settings.cooldownMs, now);
    this.#notify(out, now, t, notice);
    return out;
  }

  /** Who held the memory inside containers, read just before their round. */
  onProcesses(tables: readonly ProcessTable[]): void {
    const now = this.#clock.now();
    for (const table of tables) this.#track(table.key, table.host, table.id, now).processes = table;
  }

  onEvent(event: ContainerEvent): Alert[] {
    const now = this.#clock.now();
    const out: Alert[] = [];
    const key = event.key ?? this.#keyById.get(event.id) ?? `${event.host}/-/${event.name}`;
    if (event.action === 'destroy') {
      const gone = this.#tracks.get(key);
      if (gone !== undefined)
        this.#killed(out, now, gone, onDestroy(gone.kills, this.#hostCause(gone.host), now));
      this.#forget(key);
      return out;
    }
    const t = this.#track(key, event.host, event.id, now);
    // Every event carries the current name, which is all a rename changes.
    t.name = event.name;
    t.lastSeen = now;
    const figures = (): KillFigures => this.#killFigures(t, now);
    this.#settle(out, now, t);
    switch (event.action) {
      case 'oom':
        onOom(t.kills, figures, now, event.ts);
        break;
      case 'die':
        onLifecycle(t, 'die', this.#settings, now);
        this.#killed(out, now, t, onEnd(t.kills, event, figures, now, event.ts));
        this.#killed(out, now, t, settleEnded(t.kills, this.#hostCause(t.host), now));
        endRun(t);
        break;
      case 'kill':
        onSignal(t.kills, now);
        break;
      case 'start':
      case 'restart':
        onLifecycle(t, event.action, this.#settings, now);
        onStart(t.kills);
        endRun(t);
        break;
      case 'health_status': {
        const failing = event.health === undefined ? null : isUnhealthy(event.health);
        if (failing !== null) this.#notify(out, now, t, unhealthy(t, failing, this.#settings, now));
        break;
      }
    }
    this.#notify(out, now, t, restartLoop(t, this.#settings, now));
    return out;
  }

  onHost(state: HostState): Alert[] {
    const now = this.#clock.now();
    const out: Alert[] = [];
    if (state.memTotalBytes !== undefined && state.memTotalBytes >= 1) {
      this.#hostMemory.set(state.host, state.memTotalBytes);
    }
    const fields = this.#hosts.judge(state, this.#settings.cooldownMs, now);
    if (fields !== null) this.#emit(out, now, fields);
    return out;
  }

  /**
   * Drops everything held about a host that is no longer watched (removed from the settings), so
   * its conditions stop counting as active; a host that comes back starts afresh.
   */
  forgetHost(host: string): void {
    for (const t of this.#tracks.values()) if (t.host === host) this.#forget(t.key);
    this.#stacks.forgetHost(host);
    this.#hosts.forget(host);
    this.#hostOom.forget(host);
    this.#explainedKills.delete(host);
    this.#hostMemory.delete(host);
  }

  /**
   * Every condition that holds now, whether it was notified or not: a muted one, or one held by
   * the cooldown, is still true. OOM kills are moments, not conditions; `oomKills` counts them.
   */
  active(): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const t of this.#tracks.values()) out.push(...activeConditions(t, this.#settings));
    out.push(...this.#stacks.active(), ...this.#hosts.active());
    return out;
  }

  /** OOM kills seen per container key since the engine started (a held oom counts at once); keys without one are left out. */
  oomKills(): Map<string, number> {
    const out = new Map<string, number>();
    for (const t of this.#tracks.values()) if (t.kills.count > 0) out.set(t.key, t.kills.count);
    return out;
  }

  #track(key: string, host: string, id: string, now: number): Track {
    let t = this.#tracks.get(key);
    if (t === undefined) {
      t = newTrack(key, host, id, now);
      this.#tracks.set(key, t);
    }
    if (t.id !== id) {
      this.#keyById.delete(t.id);
      t.id = id;
      t.restartCount = null;
      t.oomKilled = null;
      onStart(t.kills);
      endRun(t);
    }
    this.#keyById.set(id, key);
    return t;
  }

  #sample(s: Sample, now: number, out: Alert[]): void {
    const t = this.#track(s.key, s.host, s.id, now);
    t.name = s.name;
    t.stack = s.stack;
    t.role = s.role;
    t.lastSeen = now;
    if (onRestartCount(t, s.restartCount, this.#settings, now)) {
      onStart(t.kills);
      endRun(t);
    }
    this.#killFlag(t, s, now, out);
    if (s.kernel !== undefined && s.state === 'running') this.#counters(t, s, now, out);

    if (s.state === 'running') {
      this.#memory(t, s, now, out);
      this.#notify(out, now, t, cpuThreshold(t, s, this.#settings, now));
    } else {
      endRun(t);
    }
    const failing = isUnhealthy(s.health);
    if (failing !== null) this.#notify(out, now, t, unhealthy(t, failing, this.#settings, now));
    this.#notify(out, now, t, restartLoop(t, this.#settings, now));
  }

  #memory(t: Track, s: Sample, now: number, out: Alert[]): void {
    const usage = s.memUsageBytes;
    const limit = effectiveLimit(s, this.#settings.roleBudgetBytes);
    if (usage === null || !Number.isFinite(usage) || limit === null) return;
    t.live = s;
    t.liveAt = now;
    const settings = this.#settings;
    this.#notify(out, now, t, memoryThreshold(t, usage, limit, settings, now));
    this.#notify(out, now, t, memoryTrend(t, s.ts, usage, limit, settings, now));
  }

  /**
   * Inspect's OOMKilled turning true in a sample: on a live container the OOM killer took one of
   * its processes (newer engines set it at the oom), on an ended one it is the container's kill;
   * and a sample that shows the container ended settles an oom held for it.
   */
  #killFlag(t: Track, s: Sample, now: number, out: Alert[]): void {
    const turned = s.oomKilled && t.oomKilled === false;
    t.oomKilled = s.oomKilled;
    const live = s.state === 'running' || s.state === 'paused';
    const figures = (): KillFigures => this.#killFigures(t, now);
    if (live && turned) onOom(t.kills, figures, now);
    else if (!live && (turned || t.kills.held !== null)) {
      this.#killed(out, now, t, onEnd(t.kills, turned ? { oomKilled: true } : {}, figures, now));
    }
  }

  /** The cgroup's kill count in a sample of a live container: a process killed inside it, named. */
  #counters(t: Track, s: Sample, now: number, out: Alert[]): void {
    if (s.kernel === undefined) return;
    const rise = s.kernel.oomKills - (t.kills.kernel?.oomKills ?? s.kernel.oomKills);
    if (rise > 0) this.#explainedKills.set(t.host, (this.#explainedKills.get(t.host) ?? 0) + rise);
    const table = t.processes !== null && now - t.processes.ts <= SNAPSHOT_MAX_AGE_MS ? t.processes : null;
    const kill = onCounters(
      t.kills,
      s.kernel,
      {
        figures: () => this.#killFigures(t, now),
        victim: table?.exited[0] ?? null,
        unlimited: s.memLimitSource === 'host',
      },
      now,
    );
    this.#killed(out, now, t, kill);
  }

  /** Kills held or waiting, and kill lines of the log, that time or a round has settled. */
  #settle(out: Alert[], now: number, t: Track): void {
    this.#killed(out, now, t, expire(t.kills, now));
    this.#killed(out, now, t, settleEnded(t.kills, this.#hostCause(t.host), now));
    const pending = t.kills.held !== null;
    for (const notice of expireHeld(t.logs, t.name, pending, this.#settings.cooldownMs, now))
      this.#notify(out, now, t, notice);
  }

  #hostCause(host: string): (engineTs: number, at: number) => HostKillCause | 'wait' {
    return (engineTs, at) => this.#hostOom.causeOf(host, engineTs, at);
  }

  #killed(out: Alert[], now: number, t: Track, kill: Kill | null): void {
    if (kill === null) return;
    const notice = killNotice(t.name, t.stack, kill);
    // A log line that told of this kill is in this alert, not one of its own.
    const line = takeHeld(t.logs);
    this.#notify(
      out,
      now,
      t,
      line === null
        ? notice
        : { ...notice, message: `${notice.message}. Its log: "${line.text}"`, logLine: line },
    );
    if (kill.kind !== 'process') endRun(t);
  }

  #killFigures(t: Track, now: number): KillFigures {
    const live = t.live !== null && now - t.liveAt <= SNAPSHOT_MAX_AGE_MS ? t.live : null;
    // The kernel killed at the real limit, not at a budget from the settings.
    const limit = live === null ? null : effectiveLimit(live, {});
    const usageBytes = live === null ? null : peakSince(t.memory, now - PEAK_WINDOW_MS, live.memUsageBytes);
    const table = t.processes !== null && now - t.processes.ts <= SNAPSHOT_MAX_AGE_MS ? t.processes : null;
    return {
      usageBytes,
      limit,
      snapshot: oomSnapshot(this.#stackHolders(t, usageBytes, now)),
      holder: table?.processes[0] ?? null,
    };
  }

  /** Who held the memory of the container's stack; the container itself with its peak. */
  *#stackHolders(
    t: Track,
    peak: number | null,
    now: number,
  ): Generator<{ name: string; role: Role; memUsageBytes: number | null }> {
    for (const other of this.#tracks.values()) {
      const same = other === t || (t.stack !== null && other.host === t.host && other.stack === t.stack);
      if (!same || other.live === null || now - other.liveAt > SNAPSHOT_MAX_AGE_MS) continue;
      const memUsageBytes = other === t ? peak : other.live.memUsageBytes;
      yield { name: other.name, role: other.live.role, memUsageBytes };
    }
  }

  #hostBytes(host: string, samples: readonly Sample[]): number | null {
    const override = this.#hostMemoryOverride?.(host) ?? null;
    if (override !== null && override >= 1) return override;
    const known = this.#hostMemory.get(host);
    if (known !== undefined) return known;
    const seen = hostMemoryOf(samples);
    if (seen !== null) this.#hostMemory.set(host, seen);
    return seen;
  }

  #forgetGone(host: string, now: number): void {
    for (const t of this.#tracks.values()) {
      if (t.host === host && now - t.lastSeen > FORGET_AFTER_MS) this.#forget(t.key);
    }
  }

  #forget(key: string): void {
    const t = this.#tracks.get(key);
    if (t === undefined) return;
    this.#tracks.delete(key);
    if (this.#keyById.get(t.id) === key) this.#keyById.delete(t.id);
  }

  /** A container rule's notice as an alert about that container. */
  #notify(out: Alert[], now: number, t: Track, notice: Notice | null): void {
    if (notice === null) return;
    this.#emit(out, now, {
      severity: notice.severity,
      rule: notice.rule,
      host: t.host,
      stack: t.stack,
      name: t.name,
      role: t.role,
      message: notice.message,
      valueBytes: notice.valueBytes ?? null,
      limitBytes: notice.limit?.bytes ?? null,
      etaSeconds: notice.etaSeconds ?? null,
      key: t.key,
      ...(notice.snapshot === undefined ? {} : { snapshot: notice.snapshot }),
      ...(notice.process === undefined ? {} : { process: notice.process }),
      ...(notice.logLine === undefined ? {} : { logLine: notice.logLine }),
    });
  }

  #emit(out: Alert[], now: number, f: AlertFields): void {
    if (f.rule === 'recovered' && !this.#settings.recoveredNotice) return;
    const muted = isMuted(f.key, now, this.#minuteOfDay(now), this.#settings);
    const alert: Alert = {
      type: 'alert',
      ts: now,
      severity: f.severity,
      rule: f.rule,
      host: f.host,
      stack: f.stack,
      name: f.name,
      role: f.role,
      message: f.message,
      valueBytes: f.valueBytes,
      limitBytes: f.limitBytes,
      etaSeconds: f.etaSeconds,
      key: f.key,
      ...(f.snapshot === undefined ? {} : { snapshot: f.snapshot }),
      ...(f.process === undefined ? {} : { process: f.process }),
      ...(f.logLine === undefined ? {} : { logLine: f.logLine }),
      ...(muted ? { muted: true } : {}),
    };
    this.log.add(alert);
    out.push(alert);
  }
}
