import type { verdict as en } from '../en/verdict.ts';
import type { Translation } from '../translation.ts';

export const verdict: Translation<typeof en> = {
  ok: '正常',
  memoryCritical: '内存严重',
  memoryHigh: '内存偏高',
  memoryRising: '内存持续上涨',
  stackMemoryHigh: '堆栈内存偏高',
  cpuCritical: 'CPU 严重',
  cpuHigh: 'CPU 偏高',
  oomKilled: '已被 OOM 终止',
  killed: '已被终止',
  log: '日志告警',
  restartLoop: '反复重启',
  unhealthy: '健康检查失败',
  unreachable: '无法连接',
  level: { warning: '警告', critical: '严重', info: '信息' },
};
