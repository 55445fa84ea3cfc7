/**
 * Desktop notifications (src/notify/format.ts), the morning report (src/alerts/away-report.ts)
 * and the monitor's own timeline lines (src/service/timeline.ts). The alert's sentence itself is
 * alert.ts's.
 */
export const notify = {
  headline: {
    oomRisk: 'OOM risk',
    oomIn: 'OOM in ~{{eta}}',
    difyNearOom: 'Dify near OOM',
    difyMemoryHigh: 'Dify memory high',
    hostDown: 'Docker host down',
    hostUp: 'Docker host back',
    recovered: 'Back to normal',
  },
  title: '{{headline}}: ',
  role: ' ({{role}})',
  heldInside: '. {{name}}: {{label}} held {{bytes}}',
  heldBy: '. Held: {{list}}',
  heldEntry: '{{label}} {{bytes}}',
  listSeparator: ', ',
  report: {
    title: 'While you were away ({{away}})',
    oom: '{{name}} OOM-killed at {{at}}',
    andRestarted: ' and restarted',
    restartedOnce: '{{name}} restarted',
    restarted: '{{name}} restarted {{n}} times',
    engineDown: 'engine {{host}} down at {{at}}',
    memory: '{{name}} memory +{{delta}}',
    criticalOne: '{{n}} critical',
    critical: '{{n}} criticals',
    warningOne: '{{n}} warning',
    warning: '{{n}} warnings',
    separator: '; ',
  },
  span: { minutes: '{{m}} min', hours: '{{h}} h', hoursMinutes: '{{h}} h {{m}} min' },
  /** What watch, serve and the desktop say when a notification cannot be shown or kept. */
  problem: {
    notifySendMissing:
      'Desktop notifications are off: notify-send was not found on PATH. Install it (Debian/Ubuntu: sudo apt install libnotify-bin, Fedora: sudo dnf install libnotify, Arch: sudo pacman -S libnotify) and restart. Alerts are still logged.',
    unsupported: 'Desktop notifications are not supported on {{platform}}. Alerts are still logged.',
    cannotShow: 'Cannot show the notification for "{{message}}": {{error}}',
    cannotSave: 'Cannot save the alert log {{path}}: {{error}}',
  },
  timeline: {
    started: 'Dify Monitor started',
    startedAfter: 'Dify Monitor started; it was not running for {{span}}',
    slept: 'Dify Monitor saw nothing for {{span}} (sleep, suspend or stopped process)',
  },
} as const;
