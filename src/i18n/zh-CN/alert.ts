import type { alert as en } from '../en/alert.ts';
import type { Translation } from '../translation.ts';

export const alert: Translation<typeof en> = {
  memory: '{{name}} 内存用量 {{used}}，上限 {{limit}}',
  memoryBack: '{{name}} 内存已回落到 {{used}}，上限 {{limit}}',
  trend: '{{name}} 内存持续上涨：约 {{eta}}后达到上限 {{limit}}',
  trendNoEta: '{{name}} 内存持续上涨，正逼近上限 {{limit}}',
  stack: '堆栈 {{name}} 内存用量 {{used}}，上限 {{limit}}',
  cpu: '{{name}}：{{words}}',
  oomKilled: '{{name}} 因内存耗尽已被 OOM 终止',
  killed: '{{name}} 已被终止',
  log: '{{name}} 日志：“{{line}}”',
  restartLoop: '{{name}} 反复重启',
  unhealthy: '{{name}} 健康检查失败',
  hostDown: '主机 {{host}} 上的 Docker 无法连接',
  hostUp: '主机 {{host}} 上的 Docker 已恢复连接',
  recovered: '{{name}} 已恢复正常',
};
