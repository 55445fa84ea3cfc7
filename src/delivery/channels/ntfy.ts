/**
 * ntfy: the topic URL (`https://ntfy.sh/mytopic`, or a server of your own) with an optional
 * access token. Published as JSON to the server's root, so a title in any language needs no
 * header encoding; priority 5 for critical, 4 for warning, 3 for resolved.
 * https://docs.ntfy.sh/publish/#publish-as-json
 * https://docs.ntfy.sh/publish/#access-tokens
 */
import { plainText, render } from '../text.ts';
import { httpChannel } from './module.ts';

/** `https://host/path/topic` → the server (`https://host/path/`) and the topic. */
export function splitTopicUrl(url: string): { server: string; topic: string } {
  const parsed = new URL(url);
  const parts = parsed.pathname.split('/').filter((p) => p !== '');
  const topic = parts.pop() ?? '';
  parsed.pathname = `/${parts.map((p) => `${p}/`).join('')}`;
  parsed.search = '';
  return { server: parsed.toString(), topic: decodeURIComponent(topic) };
}

export const ntfy = httpChannel({
  kind: 'ntfy',
  secrets: { url: 'required', token: 'optional' },
  request(message, _channel, secrets) {
    const r = render(message);
    const { server, topic } = splitTopicUrl(secrets.url);
    const firing = message.status === 'firing';
    const body = {
      topic,
      title: r.title,
      message: plainText({ ...r, link: null }),
      priority: !firing ? 3 : message.severity === 'critical' ? 5 : 4,
      tags: [!firing ? 'white_check_mark' : message.severity === 'critical' ? 'rotating_light' : 'warning'],
      ...(r.link === null ? {} : { click: r.link }),
    };
    const headers: Record<string, string> = {};
    if (secrets.token !== undefined) headers['authorization'] = `Bearer ${secrets.token}`;
    return { url: server, body: JSON.stringify(body), headers };
  },
});
