/**
 * DingTalk custom robots: a markdown message to `…/robot/send?access_token=…`. A robot secured by
 * keyword drops messages without it (in the markdown's title, which the chat list shows, and its text); one secured by signature needs `&timestamp=&sign=` (see
 * sign.ts). It answers HTTP 200 with `{"errcode":0,"errmsg":"ok"}`, or another errcode.
 * https://open.dingtalk.com/document/group/custom-robot-access
 * https://open.dingtalk.com/document/robots/customize-robot-security-settings
 * https://open.dingtalk.com/document/development/robot-message-type
 */
import { t } from '../../i18n/index.ts';
import { dingtalkSign } from '../sign.ts';
import { render } from '../text.ts';
import { httpChannel, robotJudge, withKeyword } from './module.ts';

/** 130101 and 410100: more than 20 messages a minute; -1: the service is busy. */
const TOO_FAST = [130101, 410100, -1];

export function signedUrl(url: string, secret: string | undefined, now: number): string {
  if (secret === undefined) return url;
  const joiner = url.includes('?') ? '&' : '?';
  return `${url}${joiner}timestamp=${now}&sign=${dingtalkSign(secret, now)}`;
}

export const dingtalk = httpChannel({
  kind: 'dingtalk',
  secrets: { url: 'required', secret: 'optional' },
  request(message, channel, secrets, now) {
    const r = render(message);
    const link = r.link === null ? [] : [`[${t('delivery:openDashboard')}](${r.link})`];
    const text = withKeyword([`#### ${r.title}`, ...r.lines, ...link].join('\n\n'), channel.keyword);
    const title =
      channel.keyword === undefined || r.title.includes(channel.keyword)
        ? r.title
        : `${r.title} ${channel.keyword}`;
    return {
      url: signedUrl(secrets.url, secrets.secret, now),
      body: JSON.stringify({ msgtype: 'markdown', markdown: { title, text } }),
    };
  },
  judge: robotJudge('errcode', TOO_FAST),
});
