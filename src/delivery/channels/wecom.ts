/**
 * WeCom (企业微信) group robots: a markdown message to `…/cgi-bin/webhook/send?key=…`, at most
 * 4096 bytes of UTF-8. It answers `{"errcode":0,"errmsg":"ok"}`; 45009 means more than 20
 * messages a minute.
 * https://developer.work.weixin.qq.com/document/path/91770
 */
import { t } from '../../i18n/index.ts';
import { render } from '../text.ts';
import { httpChannel, robotJudge } from './module.ts';

const MAX_BYTES = 4096;
/** 45009: the robot's rate limit; -1: the service is busy. */
const TOO_FAST = [45009, -1];
const COLOR = { critical: 'warning', warning: 'comment' } as const;

/** Cut at a character boundary so the robot never gets half a UTF-8 sequence. */
export function clipBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(`${out}${ch}…`) > max) break;
    out += ch;
  }
  return `${out}…`;
}

export const wecom = httpChannel({
  kind: 'wecom',
  secrets: { url: 'required' },
  request(message, _channel, secrets) {
    const r = render(message);
    const color = message.status === 'firing' ? COLOR[message.severity] : 'info';
    const link = r.link === null ? [] : [`[${t('delivery:openDashboard')}](${r.link})`];
    const content = [
      `**<font color="${color}">${r.title}</font>**`,
      ...r.lines.map((l) => `> ${l}`),
      ...link,
    ].join('\n');
    return {
      url: secrets.url,
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content: clipBytes(content, MAX_BYTES) } }),
    };
  },
  judge: robotJudge('errcode', TOO_FAST),
});
