import type { notify as en } from '../en/notify.ts';
import type { Translation } from '../translation.ts';

export const notify: Translation<typeof en> = {
  headline: {
    oomRisk: 'OOM 风险',
    oomIn: '约 {{eta}}后 OOM',
    difyNearOom: 'Dify 即将 OOM',
    difyMemoryHigh: 'Dify 内存偏高',
    hostDown: 'Docker 主机断开',
    hostUp: 'Docker 主机恢复',
    recovered: '已恢复正常',
  },
  title: '{{headline}}：',
  role: '（{{role}}）',
  heldInside: '。{{name}}：{{label}} 占用 {{bytes}}',
  heldBy: '。占用最多：{{list}}',
  heldEntry: '{{label}} {{bytes}}',
  listSeparator: '，',
  report: {
    title: '您离开期间（{{away}}）',
    oom: '{{name}} 于 {{at}} 被 OOM 终止',
    andRestarted: '，随后重启',
    restartedOnce: '{{name}} 重启了一次',
    restarted: '{{name}} 重启了 {{n}} 次',
    engineDown: '引擎 {{host}} 于 {{at}} 断开',
    memory: '{{name}} 内存增加 {{delta}}',
    criticalOne: '{{n}} 条严重告警',
    critical: '{{n}} 条严重告警',
    warningOne: '{{n}} 条警告',
    warning: '{{n}} 条警告',
    separator: '；',
  },
  span: { minutes: '{{m}} 分钟', hours: '{{h}} 小时', hoursMinutes: '{{h}} 小时 {{m}} 分钟' },
  problem: {
    notifySendMissing:
      '桌面通知已关闭：在 PATH 中找不到 notify-send。请先安装（Debian/Ubuntu：sudo apt install libnotify-bin，Fedora：sudo dnf install libnotify，Arch：sudo pacman -S libnotify），然后重新启动。告警仍会记录。',
    unsupported: '{{platform}} 不支持桌面通知。告警仍会记录。',
    cannotShow: '无法显示“{{message}}”的通知：{{error}}',
    cannotSave: '无法保存告警日志 {{path}}：{{error}}',
  },
  timeline: {
    started: 'Dify Monitor 已启动',
    startedAfter: 'Dify Monitor 已启动；此前 {{span}}未在运行',
    slept: 'Dify Monitor 有 {{span}}没有收到任何数据（睡眠、挂起或进程停止）',
  },
};
