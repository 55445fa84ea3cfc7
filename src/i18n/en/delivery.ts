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
  /** What watch, serve and the desktop say about a channel's deliveries. */
  warn: {
    otherProcess:
      "Another Dify Monitor (pid {{pid}}) sends this data folder's alerts to its channels; this one leaves them to it.",
    dropped: 'Dropped {{n}} waiting message(s) for channel "{{name}}", which is no longer configured.',
    deliveredAgain: 'Channel "{{channel}}": delivered again after {{n}} failed tries.',
    refused:
      'Channel "{{channel}}" refused the {{status}} message of incident {{incident}} ({{why}}); it is not tried again. Check the channel with: dify-monitor channels test {{channel}}',
    later:
      'Channel "{{channel}}": cannot deliver ({{why}}); trying again in {{seconds}} s, and on with backoff. {{n}} message(s) wait in the outbox.',
  },
  status: { firing: 'firing', resolved: 'resolved', test: 'test', report: 'report' },
} as const;
