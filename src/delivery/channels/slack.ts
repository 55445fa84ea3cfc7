/**
 * Slack incoming webhooks, and what takes their format: Mattermost's incoming webhooks and
 * Discord's `…/slack` webhook path. Only `text` (mrkdwn) is sent, the one field all three read.
 * Slack answers 200 "ok", or 400/403/404/410 with the reason in the body.
 * https://api.slack.com/messaging/webhooks
 * https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks
 * https://developers.mattermost.com/integrate/webhooks/incoming/
 * https://discord.com/developers/docs/resources/webhook#execute-slackcompatible-webhook
 */
import { t } from '../../i18n/index.ts';
import { render } from '../text.ts';
import { httpChannel } from './module.ts';

/** The three characters Slack's mrkdwn wants escaped. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const slack = httpChannel({
  kind: 'slack',
  secrets: { url: 'required' },
  request(message, _channel, secrets) {
    const r = render(message);
    const link = r.link === null ? [] : [`<${r.link}|${t('delivery:openDashboard')}>`];
    const text = [`*${escape(r.title)}*`, ...r.lines.map(escape), ...link].join('\n');
    return { url: secrets.url, body: JSON.stringify({ text }) };
  },
});
