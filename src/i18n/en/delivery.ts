/** What a channel's message says (src/delivery/text.ts and the channels' links). Field names of the webhook's JSON are not words. */
export const delivery = {
  testTitle: '🔔 Dify Monitor: test message for {{channel}}',
  more: ' +{{n}} more',
  what: '{{words}} {{name}}{{role}}',
  role: ' ({{role}})',
  resolvedTitle: '✅ Resolved · {{where}}: {{what}}',
  firingTitle: '{{icon}} {{where}}: {{what}}',
  host: 'Host {{host}}',
  stackOnHost: 'Stack {{stack}} on {{host}}',
  cleared: '{{place}} · cleared {{time}} after {{lasted}}',
  since: '{{place}} · since {{time}}',
  test: {
    sent: 'A test from Dify Monitor on {{host}}, sent {{time}}.',
    shape: 'Alerts for this channel arrive like this: what happened, the numbers, where and since when.',
  },
  tag: { was: 'was', warning: 'warning', critical: 'critical', info: 'info' },
  line: '[{{tag}}] {{message}}',
  hidden: '… and {{n}} more',
  dashboard: 'Dashboard: {{link}}',
  openDashboard: 'Open the dashboard',
} as const;
