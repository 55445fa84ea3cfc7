import type { delivery as en } from '../en/delivery.ts';
import type { Translation } from '../translation.ts';

export const delivery: Translation<typeof en> = {
  testTitle: '🔔 Dify Monitor：发往 {{channel}} 的测试消息',
  more: '，另有 {{n}} 项',
  what: '{{words}} {{name}}{{role}}',
  role: '（{{role}}）',
  resolvedTitle: '✅ 已恢复 · {{where}}：{{what}}',
  firingTitle: '{{icon}} {{where}}：{{what}}',
  host: '主机 {{host}}',
  stackOnHost: '主机 {{host}} 上的堆栈 {{stack}}',
  cleared: '{{place}} · {{time}} 恢复，持续 {{lasted}}',
  since: '{{place}} · 自 {{time}} 起',
  test: {
    sent: '来自主机 {{host}} 上 Dify Monitor 的测试消息，发送于 {{time}}。',
    shape: '此渠道的告警将以这种形式送达：发生了什么、相关数值、位置以及起始时间。',
  },
  tag: { was: '已恢复', warning: '警告', critical: '严重', info: '信息' },
  line: '[{{tag}}] {{message}}',
  hidden: '… 另有 {{n}} 项',
  dashboard: '仪表盘：{{link}}',
  openDashboard: '打开仪表盘',
  warn: {
    otherProcess: '另一个 Dify Monitor（pid {{pid}}）正在把此数据目录的告警发往各渠道；本进程不再发送。',
    dropped: '渠道“{{name}}”已不在配置中，丢弃了它的 {{n}} 条待发消息。',
    deliveredAgain: '渠道“{{channel}}”：失败 {{n}} 次后已重新送达。',
    refused:
      '渠道“{{channel}}”拒收了事件 {{incident}} 的{{status}}消息（{{why}}），不再重试。请用以下命令检查渠道：dify-monitor channels test {{channel}}',
    later:
      '渠道“{{channel}}”：无法送达（{{why}}）；{{seconds}} 秒后重试，之后逐步延长间隔。发件箱中有 {{n}} 条消息等待发送。',
  },
  status: { firing: '告警', resolved: '恢复', test: '测试', report: '报告' },
};
