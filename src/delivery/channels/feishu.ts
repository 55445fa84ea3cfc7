/**
 * Feishu/Lark custom bots: a rich-text ("post") message to `…/open-apis/bot/v2/hook/…`, with
 * `timestamp` and `sign` in the body when the bot checks signatures (see sign.ts), and the
 * keyword in the text when it checks keywords. It answers `{"code":0,"msg":"success"}`, or e.g.
 * code 19021 for a bad signature.
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
 */
import { t } from '../../i18n/index.ts';
import { feishuSign } from '../sign.ts';
import { render } from '../text.ts';
import { httpChannel, robotJudge, withKeyword } from './module.ts';

/** 11232: the bot's rate limit (100 a minute, 5 a second). */
const TOO_FAST = [11232];

export const feishu = httpChannel({
  kind: 'feishu',
  secrets: { url: 'required', secret: 'optional' },
  request(message, channel, secrets, now) {
    const r = render(message);
    const lines = [...r.lines];
    const last = lines.length - 1;
    if (channel.keyword !== undefined && !`${r.title}\n${lines.join('\n')}`.includes(channel.keyword))
      lines[last] = withKeyword(lines[last] ?? '', channel.keyword);
    const content = [
      ...lines.map((text) => [{ tag: 'text', text }]),
      ...(r.link === null ? [] : [[{ tag: 'a', text: t('delivery:openDashboard'), href: r.link }]]),
    ];
    const seconds = Math.floor(now / 1000);
    const signed =
      secrets.secret === undefined
        ? {}
        : { timestamp: String(seconds), sign: feishuSign(secrets.secret, seconds) };
    const body = { ...signed, msg_type: 'post', content: { post: { zh_cn: { title: r.title, content } } } };
    return { url: secrets.url, body: JSON.stringify(body) };
  },
  judge: robotJudge('code', TOO_FAST),
});
