/**
 * The monitor's timeline: entries derived from its rounds, events, host states and alerts
 * (src/alerts/timeline.ts), plus its own starts and sleeps, kept in the journal and pushed to the
 * page. After a time away (a sleep, a restart of the app, or the day up to the configured hour)
 * it sends one morning report, once the events of that time have had a moment to arrive.
 */
import { awayReport, formatSpan, type AwayReport, type MemoryByKey } from '../alerts/away-report.ts';
import { entry, TimelineDeriver, type KnownContainer } from '../alerts/timeline.ts';
import type { Alert } from '../alerts/types.ts';
import type { TimelineJournal } from '../history/journal.ts';
import type { TimelineEntry } from '../history/timeline-entry.ts';
import type { ContainerEvent, HostState, Round } from '../model.ts';
import { t } from '../i18n/index.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { Clock } from '../util/clock.ts';

/** The heartbeat: how often the monitor checks that time ran on as it should. */
export const BEAT_MS = 5_000;
/** A heartbeat this late means the process, or the machine, was not running in between. */
export const SLEEP_GAP_MS = 60_000;
/** After waking, events of the time away (an OOM kill's oom and die) come in; the report waits for them. */
export const REPORT_SETTLE_MS = 20_000;
const DAY_MS = 24 * 3_600_000;
const LIST_LIMIT = 5_000;

const META = { lastSeen: 'lastSeen', containers: 'containers', lastDaily: 'lastDailyReport' } as const;

export interface TimelineOptions {
  readonly journal: TimelineJournal;
  readonly clock: Clock;
  readonly notifier?: Notifier;
  /** Read at the time of each report: notifications switched off, none is shown. */
  readonly notify: () => { readonly enabled: boolean; readonly reportHour?: number };
  readonly localDate: (ts: number) => Date;
  readonly emitEntry: (entry: TimelineEntry) => void;
  /** Each report sent, for the channels (src/delivery) besides the desktop. */
  readonly onReport?: (report: AwayReport) => void;
  readonly warn: (text: string) => void;
}

interface Away {
  readonly from: number;
  /** When the monitor woke: the time away ends here, though the report waits for late events. */
  readonly to: number;
  readonly memoryBefore: MemoryByKey;
}

export class MonitorTimeline {
  readonly #o: TimelineOptions;
  readonly #deriver: TimelineDeriver;
  readonly #memory = new Map<string, { name: string; bytes: number }>();
  #lastBeat: number;
  #timer: unknown = null;
  #reportTimer: unknown = null;
  #away: Away | null = null;
  #pausedAt: number | null = null;
  /** After stop the journal's database is closed: what a source says while it is torn down is not kept. */
  #stopped = false;

  constructor(options: TimelineOptions) {
    this.#o = options;
    const now = options.clock.now();
    this.#lastBeat = now;
    this.#deriver = new TimelineDeriver(this.#readKnown());
    const lastSeen = Number(options.journal.meta(META.lastSeen) ?? Number.NaN);
    const gone = Number.isFinite(lastSeen) && now - lastSeen > SLEEP_GAP_MS ? now - lastSeen : null;
    this.#record([
      entry({
        ts: now,
        kind: 'app-start',
        severity: 'info',
        text:
          gone === null
            ? t('notify:timeline.started')
            : t('notify:timeline.startedAfter', { span: formatSpan(gone) }),
        untilTs: null,
      }),
    ]);
    if (gone !== null) this.#wentAway(lastSeen, now);
    this.#beatLater();
  }

  list(from: number, to: number): TimelineEntry[] {
    return this.#o.journal.between(from, to, LIST_LIMIT);
  }

  onRound(round: Round): void {
    this.#checkGap();
    for (const s of round.samples) {
      if (s.memUsageBytes !== null) this.#memory.set(s.key, { name: s.name, bytes: s.memUsageBytes });
    }
    this.#record(this.#deriver.onRound(round));
    const known = this.#deriver.known();
    if (known.changed) this.#saveMeta(META.containers, JSON.stringify([...known.containers]));
  }

  onEvent(event: ContainerEvent): void {
    this.#checkGap();
    this.#record(this.#deriver.onEvent(event));
  }

  onHost(state: HostState): void {
    this.#checkGap();
    this.#record(this.#deriver.onHost(state));
  }

  onAlerts(alerts: readonly Alert[]): void {
    this.#record(alerts.flatMap((a) => this.#deriver.onAlert(a)));
  }

  /** The desktop suspends: collection stops, and the time until resume is a sleep. */
  setPaused(paused: boolean): void {
    const now = this.#o.clock.now();
    if (paused) this.#pausedAt ??= now;
    else if (this.#pausedAt !== null) {
      this.#slept(this.#pausedAt, now);
      this.#pausedAt = null;
    }
  }

  stop(): void {
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    if (this.#reportTimer !== null) this.#o.clock.clearTimeout(this.#reportTimer);
    this.#timer = this.#reportTimer = null;
    this.#saveMeta(META.lastSeen, String(this.#o.clock.now()));
    this.#stopped = true;
  }

  #beatLater(): void {
    this.#timer = this.#o.clock.setTimeout(() => this.#beat(), BEAT_MS);
  }

  #beat(): void {
    this.#checkGap();
    this.#saveMeta(META.lastSeen, String(this.#lastBeat));
    this.#daily();
    this.#beatLater();
  }

  /** Called first by everything that comes in: after a SIGCONT a round may run before the heartbeat. */
  #checkGap(): void {
    if (this.#stopped) return;
    const now = this.#o.clock.now();
    const last = this.#lastBeat;
    this.#lastBeat = now;
    if (now - last > SLEEP_GAP_MS && this.#pausedAt === null) this.#slept(last, now);
  }

  #slept(from: number, to: number): void {
    this.#record([
      entry({
        ts: from,
        kind: 'app-sleep',
        severity: 'info',
        text: t('notify:timeline.slept', { span: formatSpan(to - from) }),
        untilTs: to,
      }),
    ]);
    this.#wentAway(from, to);
  }

  #wentAway(from: number, to: number): void {
    this.#away = {
      from: this.#away?.from ?? from,
      to,
      memoryBefore: this.#away?.memoryBefore ?? new Map(this.#memory),
    };
    if (this.#reportTimer !== null) this.#o.clock.clearTimeout(this.#reportTimer);
    const wait = Math.max(0, to + REPORT_SETTLE_MS - this.#o.clock.now());
    this.#reportTimer = this.#o.clock.setTimeout(() => this.#reportAway(), wait);
  }

  #reportAway(): void {
    this.#reportTimer = null;
    const away = this.#away;
    this.#away = null;
    if (away !== null) this.#report(away.from, away.to, away.memoryBefore);
  }

  /** At the configured local hour, once a day: the day since the last daily report. */
  #daily(): void {
    const hour = this.#o.notify().reportHour;
    const now = this.#o.clock.now();
    if (hour === undefined || this.#o.localDate(now).getHours() !== hour) return;
    const last = Number(this.#o.journal.meta(META.lastDaily) ?? 0);
    if (now - last < DAY_MS - 3_600_000) return;
    this.#saveMeta(META.lastDaily, String(now));
    this.#report(Math.max(last, now - DAY_MS), now, new Map());
  }

  #report(from: number, to: number, memoryBefore: MemoryByKey): void {
    const report = awayReport({
      from,
      to,
      entries: this.list(from, this.#o.clock.now() + 1),
      memoryBefore,
      memoryAfter: this.#memory,
      clockTime: (ts) => clockTime(this.#o.localDate(ts)),
    });
    if (report === null) return;
    this.#o.onReport?.(report);
    if (!this.#o.notify().enabled || this.#o.notifier === undefined) return;
    void this.#o.notifier
      .notify({
        title: report.title,
        body: report.body,
        urgency: 'normal',
        id: timelineNotificationId(report.firstTs),
      })
      .then((result) => {
        if (!result.ok && this.#o.notifier?.available !== false) {
          this.#o.warn(`Cannot show the report "${report.title}": ${result.error}`);
        }
      });
  }

  #record(entries: readonly TimelineEntry[]): void {
    if (entries.length === 0 || this.#stopped) return;
    try {
      this.#o.journal.append(entries);
    } catch (error) {
      this.#o.warn(`Cannot keep timeline entries: ${(error as Error).message}`);
    }
    for (const e of entries) this.#o.emitEntry(e);
  }

  #saveMeta(name: string, value: string): void {
    if (this.#stopped) return;
    try {
      this.#o.journal.setMeta(name, value);
    } catch (error) {
      this.#o.warn(`Cannot keep the timeline's state: ${(error as Error).message}`);
    }
  }

  #readKnown(): Map<string, KnownContainer> {
    try {
      const parsed: unknown = JSON.parse(this.#o.journal.meta(META.containers) ?? '[]');
      return new Map(Array.isArray(parsed) ? (parsed as unknown[]).filter(isKnownPair) : []);
    } catch {
      return new Map();
    }
  }
}

/** What a click on a report names: the desktop opens the timeline at that moment. */
export const TIMELINE_NOTIFICATION_PREFIX = 'timeline@';

export function timelineNotificationId(ts: number): string {
  return `${TIMELINE_NOTIFICATION_PREFIX}${ts}`;
}

/** The moment a clicked report names, or null for any other notification (an alert's key). */
export function timelineMomentOf(id: string | null): number | null {
  if (id === null || !id.startsWith(TIMELINE_NOTIFICATION_PREFIX)) return null;
  const ts = Number(id.slice(TIMELINE_NOTIFICATION_PREFIX.length));
  return Number.isSafeInteger(ts) ? ts : null;
}

function clockTime(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function isKnownPair(item: unknown): item is [string, KnownContainer] {
  if (!Array.isArray(item) || typeof item[0] !== 'string') return false;
  const c = item[1] as Partial<KnownContainer> | null;
  return (
    typeof c?.id === 'string' &&
    typeof c.image === 'string' &&
    typeof c.name === 'string' &&
    typeof c.restartCount === 'number'
  );
}
