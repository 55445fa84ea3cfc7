/**
 * An alert's sentence built from its figures (src/alerts/alert-text.ts). English shows the
 * engine's own sentence, which says more; these are the shapes a translation fills in.
 */
export const alert = {
  memory: '{{name}} is using {{used}} of {{limit}}',
  memoryBack: '{{name}} is back to {{used}} of {{limit}}',
  trend: '{{name}} memory is rising: it reaches {{limit}} in about {{eta}}',
  trendNoEta: '{{name}} memory is rising toward {{limit}}',
  stack: 'Stack {{name}} is using {{used}} of {{limit}}',
  cpu: '{{name}}: {{words}}',
  oomKilled: '{{name}} was killed for running out of memory',
  killed: '{{name}} was killed',
  log: '{{name}} logged: "{{line}}"',
  restartLoop: '{{name}} keeps restarting',
  unhealthy: '{{name}} is unhealthy: its health check fails',
  hostDown: 'Docker on {{host}} is unreachable',
  hostUp: 'Docker on {{host}} is reachable again',
  recovered: '{{name}} is back to normal',
} as const;
