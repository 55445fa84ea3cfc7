/**
 * Every channel kind's module, in one typed map: a kind in CHANNEL_KINDS without its module here
 * does not compile, nor does a module whose secrets differ from SecretsByKind.
 */
import type { ChannelKind, ChannelSetting } from '../../settings/schema.ts';
import type { OutgoingMessage } from '../message.ts';
import type { Attempt } from '../outcome.ts';
import { SECRET_FIELDS, type SecretsByKind, type StoredSecrets } from '../secrets.ts';
import { dingtalk } from './dingtalk.ts';
import { email } from './email.ts';
import { feishu } from './feishu.ts';
import type { ChannelModule, DeliveryContext } from './module.ts';
import { ntfy } from './ntfy.ts';
import { slack } from './slack.ts';
import { webhook } from './webhook.ts';
import { wecom } from './wecom.ts';

export const CHANNELS: { readonly [K in ChannelKind]: ChannelModule<K> } = {
  webhook,
  slack,
  dingtalk,
  feishu,
  wecom,
  ntfy,
  email,
};

/** Which secrets a kind takes, required or not: what `channels add` asks for. */
export function secretSpec(
  kind: ChannelKind,
): Readonly<Partial<Record<(typeof SECRET_FIELDS)[number], 'required' | 'optional'>>> {
  return CHANNELS[kind].secrets;
}

/** The stored secrets as the kind's own, or the name of the first required one that is missing. */
export function secretsFor<K extends ChannelKind>(
  kind: K,
  stored: StoredSecrets,
): { ok: true; secrets: SecretsByKind[K] } | { ok: false; missing: string } {
  const spec = secretSpec(kind);
  const out: StoredSecrets = {};
  for (const field of SECRET_FIELDS) {
    const need = spec[field];
    const value = stored[field];
    if (need === undefined) continue;
    if (value !== undefined) out[field] = value;
    else if (need === 'required') return { ok: false, missing: field };
  }
  // The loop above checked every field the kind's spec names, which is SecretsByKind[K] exactly.
  return { ok: true, secrets: out as SecretsByKind[K] };
}

/** One attempt on the channel's own module. */
export function deliverTo<K extends ChannelKind>(
  kind: K,
  message: OutgoingMessage,
  channel: ChannelSetting,
  secrets: SecretsByKind[K],
  ctx: DeliveryContext,
): Promise<Attempt> {
  const module: ChannelModule<K> = CHANNELS[kind];
  return module.deliver(message, channel, secrets, ctx);
}
