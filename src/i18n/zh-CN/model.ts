import type { model as en } from '../en/model.ts';
import type { Translation } from '../translation.ts';

export const model: Translation<typeof en> = {
  containerState: {
    created: '已创建',
    running: '运行中',
    paused: '已暂停',
    restarting: '重启中',
    removing: '删除中',
    exited: '已退出',
    dead: '已失效',
  },
  health: { healthy: '健康', unhealthy: '不健康', starting: '启动中' },
};
