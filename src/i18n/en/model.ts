/** The words for model.ts's lists of container states and health: the CLI table and the page. */
export const model = {
  containerState: {
    created: 'created',
    running: 'running',
    paused: 'paused',
    restarting: 'restarting',
    removing: 'removing',
    exited: 'exited',
    dead: 'dead',
  },
  health: { healthy: 'healthy', unhealthy: 'unhealthy', starting: 'starting' },
} as const;
