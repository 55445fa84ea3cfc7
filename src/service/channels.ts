/**
 * Alert channels as a page lists, adds, tests and removes them: the same checks and the same test
 * message as `dify-monitor channels`. Secrets come in with `channels:add` and go only to the
 * secret store; every answer carries the masked target and the outbox's record, nothing more.
 */
import { hostname } from 'node:os';
import type { ChannelList, ChannelStatusView, ChannelView, InvokeHandlers } from '../api.ts';
import { channelFromRequest } from '../delivery/channel-config.ts';
import { deliverTo, secretsFor } from '../delivery/channels/index.ts';
import { MAX_ANSWER_BYTES, REQUEST_TIMEOUT_MS } from '../delivery/delivery.ts';
import { testMessage } from '../delivery/message.ts';
import { peekOutbox, type OutboxState } from '../delivery/outbox.ts';
import type { SecretStore } from '../delivery/secret-store.ts';
import { DEFAULT_CHANNELS, type ChannelSetting, type Settings } from '../settings/schema.ts';
import type { Clock } from '../util/clock.ts';

export type ChannelHandlers = Pick<
  InvokeHandlers,
  'channels:list' | 'channels:add' | 'channels:test' | 'channels:remove'
>;

export interface ChannelsOptions {
  /** The data folder: the outbox whose record the list shows. */
  readonly dir: string;
  readonly secrets: SecretStore;
  /** Where `secrets` keeps them, in words for the page. */
  readonly secretsKept: string;
  readonly settings: { get(): Settings };
  /** Saves the channel list as settings (validated, pushed as `settings:changed`); the problem, or null. */
  readonly saveList: (list: readonly ChannelSetting[]) => string | null;
  readonly clock: Clock;
}

/** The CLI's checks name its flags; a page names its fields. */
const PAGE_FIELDS: Readonly<Record<string, string>> = {
  '--kind': 'Kind',
  '--url': 'URL',
  '--secret': 'Signing secret',
  '--token': 'Access token',
  '--keyword': 'Keyword',
  '--smtp-host': 'SMTP server',
  '--security': 'Security',
  '--user': 'Login',
  '--password': 'Password',
  '--from': 'From',
  '--to': 'To',
  '--min-severity': 'Send from',
  '--rule': 'rule',
};

const forPage = (error: string): string => error.replace(/--[a-z-]+/g, (flag) => PAGE_FIELDS[flag] ?? flag);

function statusOf(c: ChannelSetting, state: OutboxState | null): ChannelStatusView {
  const record = state?.channels[c.name] ?? {};
  const waiting = state?.messages.filter((m) => m.channel === c.name).length ?? 0;
  const base = { waiting, dropped: record.dropped ?? 0 };
  if (!c.enabled) return { last: 'off', at: null, why: null, ...base };
  if (record.error !== undefined) {
    const last = record.error.retrying ? 'retrying' : 'refused';
    return { last, at: record.error.at, why: record.error.why, ...base };
  }
  if (record.deliveredAt !== undefined)
    return { last: 'delivered', at: record.deliveredAt, why: null, ...base };
  return { last: 'never', at: null, why: null, ...base };
}

/** Only what `target` already masks, the kind and the filter: a view built field by field. */
function viewOf(c: ChannelSetting, state: OutboxState | null): ChannelView {
  return {
    name: c.name,
    kind: c.kind,
    enabled: c.enabled,
    target: c.target,
    minSeverity: c.minSeverity,
    stacks: c.stacks,
    rules: c.rules,
    status: statusOf(c, state),
  };
}

export function channelHandlers(o: ChannelsOptions): ChannelHandlers {
  const saved = (): readonly ChannelSetting[] => o.settings.get().channels?.list ?? [];
  return {
    'channels:list': (): ChannelList => {
      const state = peekOutbox(o.dir);
      return { channels: saved().map((c) => viewOf(c, state)), secretsKept: o.secretsKept };
    },
    'channels:add': async (request) => {
      const checked = channelFromRequest(request);
      if (!checked.ok) return { ok: false, error: forPage(checked.error) };
      const { setting, secrets } = checked.value;
      if (saved().some((c) => c.name === setting.name))
        return { ok: false, error: `a channel named "${setting.name}" is already saved; remove it first` };
      // Secrets first: a channel saved without them would send nothing.
      const problem = await o.secrets.save(setting.name, secrets);
      if (problem !== null) return { ok: false, error: problem };
      const listed = o.saveList([...saved(), setting]);
      if (listed === null) return { ok: true };
      await o.secrets.save(setting.name, null);
      return { ok: false, error: listed };
    },
    'channels:test': async ({ name }) => {
      const channel = saved().find((c) => c.name === name);
      if (channel === undefined)
        return { outcome: 'not-sent', why: `no channel is named "${name}"`, answer: '' };
      const stored = await o.secrets.read(name);
      if (typeof stored === 'string') return { outcome: 'not-sent', why: stored, answer: '' };
      const secrets = secretsFor(channel.kind, stored);
      if (!secrets.ok)
        return { outcome: 'not-sent', why: `no ${secrets.missing} is saved for "${name}"`, answer: '' };
      const now = o.clock.now();
      const dashboard = (o.settings.get().channels ?? DEFAULT_CHANNELS).dashboardUrl;
      const message = testMessage(name, hostname(), now, dashboard);
      const ctx = { now, timeoutMs: REQUEST_TIMEOUT_MS, maxAnswerBytes: MAX_ANSWER_BYTES };
      const { outcome, answer } = await deliverTo(channel.kind, message, channel, secrets.secrets, ctx);
      return { outcome: outcome.kind, why: outcome.kind === 'delivered' ? null : outcome.why, answer };
    },
    'channels:remove': async ({ name }) => {
      if (!saved().some((c) => c.name === name)) return { ok: false, error: `no channel is named "${name}"` };
      const listed = o.saveList(saved().filter((c) => c.name !== name));
      if (listed !== null) return { ok: false, error: listed };
      const problem = await o.secrets.save(name, null);
      return problem === null ? { ok: true } : { ok: false, error: problem };
    },
  };
}

const NOT_HERE = 'this monitor sends alerts to no channels (it was started without a data folder)';

/** A monitor without delivery (tests, embedders) answers the channels too, and adds none. */
export function noChannelHandlers(settings: { get(): Settings }): ChannelHandlers {
  return {
    'channels:list': () => ({
      channels: (settings.get().channels?.list ?? []).map((c) => viewOf(c, null)),
      secretsKept: NOT_HERE,
    }),
    'channels:add': () => ({ ok: false, error: NOT_HERE }),
    'channels:test': () => ({ outcome: 'not-sent', why: NOT_HERE, answer: '' }),
    'channels:remove': () => ({ ok: false, error: NOT_HERE }),
  };
}
