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
};
