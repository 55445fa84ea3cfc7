/**
 * Turns samples, lifecycle events and host states into alerts. No I/O: time comes from the
 * injected clock (noise control, mutes) and from the samples' own timestamps (growth and duration
 * rules, which care about the spacing of readings, not of deliveries). Every alert raised is added
 * to `log` and returned; muted ones carry `muted: true` so the notifier can skip them.
 */
import type { ContainerEvent, HostState, Role, Sample } from '../model.ts';
import type { Clock } from '../util/clock.ts';
import {
  describeSnapshot,
  hostReachable,
  isRestart,
  isUnhealthy,
  type KillEvidence,
  killEvidence,
  type Lifecycle,
  oomSnapshot,
  recordRestarts,
  restartsWithin,
} from './events.ts';
import { formatBytes, formatDuration, formatPercent, formatRate } from './format.ts';
import { describeLimit, effectiveLimit, type EffectiveLimit } from './limit.ts';
import { AlertLog } from './log.ts';
import { isMuted, localMinuteOfDay } from './mute.ts';
import { type Condition, newCondition, reset, step } from './noise.ts';
import { Series } from './series.ts';
import { hostMemoryOf, stackMessage, stackTotals } from './stack.ts';
import { sustainedLevel } from './sustained.ts';
import { type Level, levelAfter } from './threshold.ts';
import { fitGrowth, type Growth, secondsToLimit } from './trend.ts';
import {
  type ActiveAlert,
  type Alert,
  type AlertRule,
  type AlertSettings,
  DEFAULT_ALERT_SETTINGS,
  type Severity,
  type SnapshotEntry,
} from './types.ts';

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

/**
 * Points kept per container, and how many of them a window may use: readings closer together than
 * window / used are skipped, so the window always fits and a faster interval only thins it.
 */
const MEMORY_POINTS = 400;
const MEMORY_POINTS_USED = 360;
const CPU_POINTS = 256;
const CPU_POINTS_USED = 200;
/** A die with exit code 137 and the oom event (and the inspect flag) describe one kill. */
const SAME_KILL_MS = 60_000;
/** `docker stop` sends SIGTERM, waits 10 s, then SIGKILL: a die within this of a signal was asked for. */
const SIGNALLED_MS = 30_000;
/** Readings older than this are not "who held the memory" at the kill. */
const SNAPSHOT_MAX_AGE_MS = 2 * 60_000;
/** A container missing from its host's rounds this long is gone; its state is dropped. */
const FORGET_AFTER_MS = 10 * 60_000;

interface Track {
  readonly key: string;
  host: string;
  id: string;
  name: string;
  stack: string | null;
  role: Role | null;
  restartCount: number | null;
  /** Null until a sample said, so that a kill from before we watched raises nothing. */
  oomKilled: boolean | null;
  lastSeen: number;
  /** The latest sample with a memory reading, and when it arrived. */
  live: Sample | null;
  liveAt: number;
  lifecycle: Lifecycle | null;
  restarts: number[];
  eventRestartsSinceSample: number;
  lastKillAt: number;
  /** Kills raised for this key since the engine started: the exporter's OOM event counter. */
  oomKills: number;
  lastSignalAt: number;
  readonly memory: Series;
  readonly cpu: Series;
  lastGrowth: Growth | null;
  lastGrowthAt: number;
  readonly memoryLevel: Condition;
  readonly trend: Condition;
  readonly cpuLevel: Condition;
  readonly restartLoop: Condition;
  readonly unhealthy: Condition;
}

interface StackState {
  readonly host: string;
  readonly stack: string;
  readonly condition: Condition;
  usedBytes: number;
  hostBytes: number;
  lastSeen: number;
}

/** A raised level as a severity; only warning and critical are ever raised. */
function severityOf(level: Level): Severity {
  return level === 'critical' ? 'critical' : 'warning';
}

type Fields = Omit<Alert, 'type' | 'ts' | 'muted' | 'key'> & { readonly key: string };

export class AlertEngine {
  readonly log: AlertLog;
  #settings: AlertSettings;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #hostMemoryOverride: ((host: string) => number | null) | undefined;
  readonly #minuteOfDay: (ts: number) => number;
  readonly #tracks = new Map<string, Track>();
  readonly #keyById = new Map<string, string>();
  readonly #stacks = new Map<string, StackState>();
  readonly #hosts = new Map<string, Condition>();
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

  /** One collection round of one host: every container's latest sample. */
  onRound(host: string, samples: readonly Sample[]): Alert[] {
    const now = this.#clock.now();
    const out: Alert[] = [];
    for (const sample of samples) {
      if (sample.host === host) this.#sample(sample, now, out);
    }
    this.#stackMemory(host, samples, now, out);
    this.#forgetGone(host, now);
    return out;
  }

  onEvent(event: ContainerEvent): Alert[] {
    const now = this.#clock.now();
    const out: Alert[] = [];
    const key = event.key ?? this.#keyById.get(event.id) ?? `${event.host}/-/${event.name}`;
    if (event.action === 'destroy') {
      this.#forget(key);
      return out;
    }
    const t = this.#track(key, event.host, event.id, now);
    // Every event carries the current name, which is all a rename changes.
    t.name = event.name;
    t.lastSeen = now;
    switch (event.action) {
      case 'oom':
      case 'die': {
        if (event.action === 'die') this.#lifecycle(t, 'die', now);
        const evidence = killEvidence(event, now - t.lastSignalAt < SIGNALLED_MS);
        if (evidence !== null) this.#killed(t, evidence, now, out);
        this.#stopped(t);
        break;
      }
      case 'kill':
        t.lastSignalAt = now;
        break;
      case 'start':
      case 'restart':
        this.#lifecycle(t, event.action, now);
        this.#stopped(t);
        break;
      case 'health_status': {
        const unhealthy = event.health === undefined ? null : isUnhealthy(event.health);
        if (unhealthy !== null) this.#unhealthy(t, unhealthy, now, out);
        break;
      }
    }
    this.#restartLoop(t, now, out);
    return out;
  }

  onHost(state: HostState): Alert[] {
    const now = this.#clock.now();
    const out: Alert[] = [];
    if (state.memTotalBytes !== undefined && state.memTotalBytes > 0) {
      this.#hostMemory.set(state.host, state.memTotalBytes);
    }
    const reachable = hostReachable(state);
    if (reachable === null) return out;
    let condition = this.#hosts.get(state.host);
    if (condition === undefined) {
      condition = newCondition();
      this.#hosts.set(state.host, condition);
    }
    const base = {
      host: state.host,
      stack: null,
      name: state.host,
      role: null,
      key: state.host,
      valueBytes: null,
      limitBytes: null,
      etaSeconds: null,
    };
    const decision = step(condition, reachable ? 'none' : 'warning', now, this.#settings.cooldownMs);
    if (decision === 'raise') {
      this.#emit(out, now, {
        ...base,
        severity: 'warning',
        rule: 'host-down',
        message: `Docker on ${state.host} is unreachable: ${state.message}`,
      });
    } else if (decision === 'recover') {
      this.#emit(out, now, {
        ...base,
        severity: 'info',
        rule: 'host-up',
        message: `Docker on ${state.host} is reachable again`,
      });
    }
    return out;
  }

  /**
   * Drops everything held about a host that is no longer watched (removed from the settings), so
   * its conditions stop counting as active; a host that comes back starts afresh.
   */
  forgetHost(host: string): void {
    for (const t of this.#tracks.values()) if (t.host === host) this.#forget(t.key);
    for (const [key, s] of this.#stacks) if (s.host === host) this.#stacks.delete(key);
    this.#hosts.delete(host);
    this.#hostMemory.delete(host);
  }

  /**
   * Every condition that holds now, whether it was notified or not: a muted one, or one held by
   * the cooldown, is still true. OOM kills are moments, not conditions; `oomKills` counts them.
   */
  active(): ActiveAlert[] {
    const out: ActiveAlert[] = [];
    for (const t of this.#tracks.values()) {
      for (const [rule, condition] of [
        ['memory-threshold', t.memoryLevel],
        ['memory-trend', t.trend],
        ['cpu-threshold', t.cpuLevel],
        ['restart-loop', t.restartLoop],
        ['unhealthy', t.unhealthy],
      ] as const) {
        if (condition.level === 'none') continue;
        const { host, stack, name, key } = t;
        const etaSeconds = rule === 'memory-trend' ? this.#etaSeconds(t) : null;
        out.push({ rule, severity: severityOf(condition.level), host, stack, name, key, etaSeconds });
      }
    }
    for (const [key, s] of this.#stacks) {
      if (s.condition.level === 'none') continue;
      const severity = severityOf(s.condition.level);
      out.push({
        rule: 'stack-memory',
        severity,
        host: s.host,
        stack: s.stack,
        name: s.stack,
        key,
        etaSeconds: null,
      });
    }
    for (const [host, condition] of this.#hosts) {
      if (condition.level === 'none') continue;
      out.push({
        rule: 'host-down',
        severity: 'warning',
        host,
        stack: null,
        name: host,
        key: host,
        etaSeconds: null,
      });
    }
    return out;
  }

  /** OOM kills raised per container key since the engine started; keys without one are left out. */
  oomKills(): Map<string, number> {
    const out = new Map<string, number>();
    for (const t of this.#tracks.values()) if (t.oomKills > 0) out.set(t.key, t.oomKills);
    return out;
  }

  /** The trend's time to the limit as of the latest sample: the last fit, less the time since it. */
  #etaSeconds(t: Track): number | null {
    if (t.lastGrowth === null || t.live === null) return null;
    const limit = effectiveLimit(t.live, this.#settings.roleBudgetBytes);
    if (limit === null) return null;
    const since = Math.max(0, t.live.ts - t.lastGrowthAt) / 1000;
    return Math.max(0, secondsToLimit(t.lastGrowth, limit.bytes) - since);
  }

  #track(key: string, host: string, id: string, now: number): Track {
    let t = this.#tracks.get(key);
    if (t === undefined) {
      t = {
        key,
        host,
        id,
        name: key,
        stack: null,
        role: null,
        restartCount: null,
        oomKilled: null,
        lastSeen: now,
        live: null,
        liveAt: -Infinity,
        lifecycle: null,
        restarts: [],
        eventRestartsSinceSample: 0,
        lastKillAt: -Infinity,
        oomKills: 0,
        lastSignalAt: -Infinity,
        memory: new Series(MEMORY_POINTS),
        cpu: new Series(CPU_POINTS),
        lastGrowth: null,
        lastGrowthAt: -Infinity,
        memoryLevel: newCondition(),
        trend: newCondition(),
        cpuLevel: newCondition(),
        restartLoop: newCondition(),
        unhealthy: newCondition(),
      };
      this.#tracks.set(key, t);
    }
    if (t.id !== id) {
      this.#keyById.delete(t.id);
      t.id = id;
      t.restartCount = null;
      t.oomKilled = null;
      this.#stopped(t);
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
    if (t.restartCount !== null && s.restartCount !== t.restartCount) {
      // A restart the events did not tell about (or a counter reset): the history is not continuous.
      const missed = s.restartCount - t.restartCount - t.eventRestartsSinceSample;
      if (missed > 0) recordRestarts(t.restarts, now, missed, this.#settings.restartLoop.windowMs);
      this.#stopped(t);
    }
    t.restartCount = s.restartCount;
    t.eventRestartsSinceSample = 0;
    if (s.oomKilled && t.oomKilled === false) this.#killed(t, 'oom', now, out);
    t.oomKilled = s.oomKilled;

    if (s.state === 'running') {
      this.#memory(t, s, now, out);
      this.#cpu(t, s, now, out);
    } else {
      this.#stopped(t);
    }
    const unhealthy = isUnhealthy(s.health);
    if (unhealthy !== null) this.#unhealthy(t, unhealthy, now, out);
    this.#restartLoop(t, now, out);
  }

  #memory(t: Track, s: Sample, now: number, out: Alert[]): void {
    const usage = s.memUsageBytes;
    const limit = effectiveLimit(s, this.#settings.roleBudgetBytes);
    if (usage === null || !Number.isFinite(usage) || limit === null) return;
    t.live = s;
    t.liveAt = now;
    const settings = this.#settings;
    const percent = (usage / limit.bytes) * 100;
    const level = levelAfter(t.memoryLevel.level, percent, settings.memory);
    const used = `${formatBytes(usage)}, ${formatPercent(percent)} of ${describeLimit(limit)}`;
    switch (step(t.memoryLevel, level, now, settings.cooldownMs)) {
      case 'raise':
        this.#containerAlert(
          out,
          now,
          t,
          'memory-threshold',
          severityOf(level),
          `${t.name} is using ${used}`,
          usage,
          limit,
        );
        break;
      case 'recover':
        this.#recovered(out, now, t, `${t.name} is back to ${used}`, usage, limit);
        break;
    }

    const trend = settings.trend;
    t.memory.push(s.ts, usage, trend.windowMs / MEMORY_POINTS_USED);
    t.memory.keepFrom(s.ts - trend.windowMs);
    const growth = fitGrowth(t.memory, s.ts, trend);
    if (growth !== null && secondsToLimit(growth, limit.bytes) * 1000 < trend.horizonMs) {
      t.lastGrowth = growth;
      t.lastGrowthAt = s.ts;
    }
    const holding = t.trend.level !== 'none' && s.ts - t.lastGrowthAt < trend.clearAfterMs;
    const trendLevel: Level = t.lastGrowthAt === s.ts || holding ? 'warning' : 'none';
    switch (step(t.trend, trendLevel, now, settings.cooldownMs)) {
      case 'raise': {
        const g = t.lastGrowth as Growth;
        const eta = secondsToLimit(g, limit.bytes);
        const message =
          `${t.name} will reach ${describeLimit(limit)} in about ${formatDuration(eta)} ` +
          `(${formatRate(g.bytesPerSec)})`;
        this.#containerAlert(out, now, t, 'memory-trend', 'warning', message, usage, limit, Math.round(eta));
        break;
      }
      case 'recover':
        this.#recovered(
          out,
          now,
          t,
          `${t.name} memory is no longer heading for ${describeLimit(limit)}`,
          usage,
          limit,
        );
        break;
    }
  }

  #cpu(t: Track, s: Sample, now: number, out: Alert[]): void {
    const cpu = this.#settings.cpu;
    if (s.cpuOfLimitPercent !== null) {
      t.cpu.push(s.ts, s.cpuOfLimitPercent, cpu.sustainMs / CPU_POINTS_USED);
      t.cpu.keepFrom(s.ts - cpu.sustainMs);
    }
    const level = sustainedLevel(t.cpuLevel.level, t.cpu, s.ts, cpu);
    const line = level === 'critical' ? cpu.criticalPercent : cpu.warningPercent;
    switch (step(t.cpuLevel, level, now, this.#settings.cooldownMs)) {
      case 'raise':
        this.#containerAlert(
          out,
          now,
          t,
          'cpu-threshold',
          severityOf(level),
          `${t.name} has used over ${line} % of the CPU it may use for ${formatDuration(cpu.sustainMs / 1000)}`,
        );
        break;
      case 'recover':
        this.#recovered(
          out,
          now,
          t,
          `${t.name} CPU is back under ${cpu.warningPercent} % of what it may use`,
        );
        break;
    }
  }

  #unhealthy(t: Track, unhealthy: boolean, now: number, out: Alert[]): void {
    switch (step(t.unhealthy, unhealthy ? 'warning' : 'none', now, this.#settings.cooldownMs)) {
      case 'raise':
        this.#containerAlert(
          out,
          now,
          t,
          'unhealthy',
          'warning',
          `${t.name} is unhealthy: its health check fails`,
        );
        break;
      case 'recover':
        this.#recovered(out, now, t, `${t.name} is healthy again`);
        break;
    }
  }

  #lifecycle(t: Track, action: Lifecycle, now: number): void {
    if (isRestart(t.lifecycle, action)) {
      recordRestarts(t.restarts, now, 1, this.#settings.restartLoop.windowMs);
      t.eventRestartsSinceSample++;
    }
    t.lifecycle = action;
  }

  #restartLoop(t: Track, now: number, out: Alert[]): void {
    const loop = this.#settings.restartLoop;
    const count = restartsWithin(t.restarts, now, loop.windowMs);
    const level: Level = count >= loop.count ? 'critical' : 'none';
    const window = formatDuration(loop.windowMs / 1000);
    switch (step(t.restartLoop, level, now, this.#settings.cooldownMs)) {
      case 'raise':
        this.#containerAlert(
          out,
          now,
          t,
          'restart-loop',
          'critical',
          `${t.name} has restarted ${count} times in the last ${window}`,
        );
        break;
      case 'recover':
        this.#recovered(out, now, t, `${t.name} has stopped restarting`);
        break;
    }
  }

  /** A kill for memory: raised at once, once per kill, with who held the memory. */
  #killed(t: Track, evidence: KillEvidence, now: number, out: Alert[]): void {
    if (now - t.lastKillAt < SAME_KILL_MS) return;
    t.lastKillAt = now;
    t.oomKills++;
    const snapshot = oomSnapshot(this.#stackHolders(t, now));
    const live = t.live !== null && now - t.liveAt <= SNAPSHOT_MAX_AGE_MS ? t.live : null;
    // The kernel killed at the real limit, not at a budget from the settings.
    const limit = live === null ? null : effectiveLimit(live, {});
    const what =
      evidence === 'oom'
        ? `${t.name} ran out of memory and was killed`
        : `${t.name} was killed (exit code 137), most likely out of memory`;
    const usage = live?.memUsageBytes ?? null;
    const at = usage !== null && limit !== null ? ` at ${formatBytes(usage)} of ${describeLimit(limit)}` : '';
    // Outside a stack the snapshot holds the container alone, which the message already said.
    const held = t.stack !== null && snapshot.length > 0 ? `. ${describeSnapshot(t.stack, snapshot)}` : '';
    this.#containerAlert(
      out,
      now,
      t,
      'oom-killed',
      'critical',
      `${what}${at}${held}`,
      usage,
      limit,
      null,
      snapshot,
    );
    this.#stopped(t);
  }

  *#stackHolders(
    t: Track,
    now: number,
  ): Generator<{ name: string; role: Role; memUsageBytes: number | null }> {
    for (const other of this.#tracks.values()) {
      const same = other === t || (t.stack !== null && other.host === t.host && other.stack === t.stack);
      if (!same || other.live === null || now - other.liveAt > SNAPSHOT_MAX_AGE_MS) continue;
      yield { name: other.name, role: other.live.role, memUsageBytes: other.live.memUsageBytes };
    }
  }

  /** The container stopped or restarted: its memory and CPU history end, without a recovered notice. */
  #stopped(t: Track): void {
    t.memory.clear();
    t.cpu.clear();
    t.lastGrowth = null;
    t.lastGrowthAt = -Infinity;
    reset(t.memoryLevel);
    reset(t.trend);
    reset(t.cpuLevel);
  }

  #stackMemory(host: string, samples: readonly Sample[], now: number, out: Alert[]): void {
    const hostBytes = this.#hostBytes(host, samples);
    const seen = new Set<string>();
    if (hostBytes !== null) {
      for (const total of stackTotals(samples.filter((s) => s.host === host))) {
        const key = `${host}/${total.stack}`;
        seen.add(key);
        let state = this.#stacks.get(key);
        if (state === undefined) {
          state = {
            host,
            stack: total.stack,
            condition: newCondition(),
            usedBytes: 0,
            hostBytes,
            lastSeen: now,
          };
          this.#stacks.set(key, state);
        }
        state.usedBytes = total.usedBytes;
        state.hostBytes = hostBytes;
        state.lastSeen = now;
        const level = levelAfter(
          state.condition.level,
          (total.usedBytes / hostBytes) * 100,
          this.#settings.stack,
        );
        const fields = {
          host,
          stack: total.stack,
          name: total.stack,
          role: null,
          key,
          valueBytes: total.usedBytes,
          limitBytes: hostBytes,
          etaSeconds: null,
        };
        switch (step(state.condition, level, now, this.#settings.cooldownMs)) {
          case 'raise':
            this.#emit(out, now, {
              ...fields,
              severity: severityOf(level),
              rule: 'stack-memory',
              message: stackMessage(total.stack, total.usedBytes, hostBytes),
            });
            break;
          case 'recover':
            if (this.#settings.recoveredNotice) {
              this.#emit(out, now, {
                ...fields,
                severity: 'info',
                rule: 'recovered',
                message: `${stackMessage(total.stack, total.usedBytes, hostBytes)}: back to normal`,
              });
            }
            break;
        }
      }
    }
    for (const [key, state] of this.#stacks) {
      if (state.host !== host || seen.has(key)) continue;
      // No reading for the stack in this round (stopped, or host memory unknown): nothing to judge.
      reset(state.condition);
      if (now - state.lastSeen > FORGET_AFTER_MS) this.#stacks.delete(key);
    }
  }

  #hostBytes(host: string, samples: readonly Sample[]): number | null {
    const override = this.#hostMemoryOverride?.(host) ?? null;
    if (override !== null && override > 0) return override;
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

  #containerAlert(
    out: Alert[],
    now: number,
    t: Track,
    rule: AlertRule,
    severity: Severity,
    message: string,
    valueBytes: number | null = null,
    limit: EffectiveLimit | null = null,
    etaSeconds: number | null = null,
    snapshot?: readonly SnapshotEntry[],
  ): void {
    this.#emit(out, now, {
      severity,
      rule,
      host: t.host,
      stack: t.stack,
      name: t.name,
      role: t.role,
      message,
      valueBytes,
      limitBytes: limit?.bytes ?? null,
      etaSeconds,
      key: t.key,
      ...(snapshot === undefined ? {} : { snapshot }),
    });
  }

  #recovered(
    out: Alert[],
    now: number,
    t: Track,
    message: string,
    valueBytes: number | null = null,
    limit: EffectiveLimit | null = null,
  ): void {
    if (this.#settings.recoveredNotice)
      this.#containerAlert(out, now, t, 'recovered', 'info', message, valueBytes, limit);
  }

  #emit(out: Alert[], now: number, f: Fields): void {
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
      ...(muted ? { muted: true } : {}),
    };
    this.log.add(alert);
    out.push(alert);
  }
}
