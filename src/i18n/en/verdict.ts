/** The words for what is wrong now (src/alerts/verdict.ts): the table, the tray, the page. */
export const verdict = {
  ok: 'OK',
  memoryCritical: 'Memory critical',
  memoryHigh: 'Memory high',
  memoryRising: 'Memory rising',
  stackMemoryHigh: 'Stack memory high',
  cpuCritical: 'CPU critical',
  cpuHigh: 'CPU high',
  oomKilled: 'OOM-killed',
  killed: 'Killed',
  log: 'Log',
  restartLoop: 'Restart loop',
  unhealthy: 'Unhealthy',
  unreachable: 'Unreachable',
  level: { warning: 'WARNING', critical: 'CRITICAL', info: 'INFO' },
} as const;
