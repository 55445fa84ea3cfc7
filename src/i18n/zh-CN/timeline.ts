import type { timeline as en } from '../en/timeline.ts';
import type { Translation } from '../translation.ts';

export const timeline: Translation<typeof en> = {
  restart: '{{name}} 已重启',
  restartedAway: '{{name}} 在未监视期间重启了 {{times}} 次',
  recreated: '{{name}} 已重建（新容器）',
  newImage: '{{name}} 已部署：{{from}} → {{to}}',
  down: '引擎 {{host}} 无法连接：{{why}}',
  up: '引擎 {{host}} 已恢复',
};
