/**
 * What a stand-in container does while a test watches it. Every command runs with busybox alone
 * (sh, awk, sleep, yes), since the stand-in images are one busybox rootfs under Dify's names.
 */
export type Workload =
  | { readonly kind: 'idle' }
  /** Holds `mib` MiB resident for as long as it runs. */
  | { readonly kind: 'steady'; readonly mib: number }
  /** Keeps one core busy. */
  | { readonly kind: 'spin' }
  /** One core busy for `busySeconds`, then idle for `idleSeconds`, over and over (both default 1). */
  | { readonly kind: 'bursty'; readonly busySeconds?: number; readonly idleSeconds?: number }
  /** Grows by `mibPerSecond` until the memory limit the service must be given kills it. */
  | { readonly kind: 'leak'; readonly mibPerSecond: number }
  /** A shell script of the test's own (busybox sh): what a stand-in prints, and when. */
  | { readonly kind: 'script'; readonly script: string };

export const IDLE: Workload = { kind: 'idle' };

/** Longest sleep busybox accepts: the container idles until removed. */
const FOREVER = '2147483647';
const TICK_SECONDS = 0.25;

/*
 * Each MiB is a distinct awk string (the chunk plus its index), so every one is really
 * allocated and written, not shared; the awk process stays alive while `sleep` runs.
 */
const MIB_CHUNK = 'chunk = "x"; for (k = 0; k < 20; k++) chunk = chunk chunk';
const STEADY = `BEGIN { ${MIB_CHUNK}; for (i = 1; i < mib; i++) held[i] = chunk i; system("exec sleep ${FOREVER}") }`;
const LEAK = `BEGIN { ${MIB_CHUNK}; for (tick = 1; ; tick++) { for (; n < rate * tick * ${TICK_SECONDS}; n++) grown[n] = chunk n; system("exec sleep ${TICK_SECONDS}") } }`;

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${what} must be a positive number, not ${value}`);
  return value;
}

/** The container command (argv after the image) that performs a workload. */
export function commandFor(workload: Workload): string[] {
  switch (workload.kind) {
    case 'idle':
      return ['sleep', FOREVER];
    case 'steady':
      return ['awk', '-v', `mib=${positive(workload.mib, 'steady mib')}`, STEADY];
    case 'spin':
      return ['sh', '-c', 'exec yes > /dev/null'];
    case 'bursty': {
      const busy = positive(workload.busySeconds ?? 1, 'bursty busySeconds');
      const idle = positive(workload.idleSeconds ?? 1, 'bursty idleSeconds');
      return ['sh', '-c', `while :; do yes > /dev/null & sleep ${busy}; kill $!; sleep ${idle}; done`];
    }
    case 'leak':
      return ['awk', '-v', `rate=${positive(workload.mibPerSecond, 'leak mibPerSecond')}`, LEAK];
    case 'script':
      return ['sh', '-c', workload.script];
  }
}
