import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Table from 'cli-table3';
import { type Command, Option } from 'commander';
import { ALERT_RULES } from '../alerts/types.ts';
import { channelFromRequest, type AddChannelRequest } from '../delivery/channel-config.ts';
import { deliverTo, secretsFor } from '../delivery/channels/index.ts';
import { MAX_ANSWER_BYTES, REQUEST_TIMEOUT_MS } from '../delivery/delivery.ts';
import { testMessage } from '../delivery/message.ts';
import { peekOutbox, type OutboxState } from '../delivery/outbox.ts';
import { ownerOnlyFileStore } from '../delivery/secret-store.ts';
import { saveChannelSecrets, secretsPathIn, type StoredSecrets } from '../delivery/secrets.ts';
import { defaultSettingsPath } from '../settings/paths.ts';
import {
  CHANNEL_KINDS,
  CHANNEL_SEVERITIES,
  DEFAULT_CHANNELS,
  SMTP_SECURITY,
  type ChannelSetting,
} from '../settings/schema.ts';
import type { SettingsStore } from '../settings/store.ts';

interface Output {
  out(text: string): void;
  err(text: string): void;
}

const io: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function openStore(path: string): Promise<SettingsStore> {
  const { openSettingsFile } = await import('../settings/store.ts');
  const opened = openSettingsFile(path, Date.now());
  if (opened.notice !== undefined) io.err(opened.notice);
  return opened.store;
}

async function saveList(store: SettingsStore, list: readonly ChannelSetting[]): Promise<string | null> {
  const { applySettingsPatch } = await import('../settings/schema.ts');
  const current = store.get();
  const applied = applySettingsPatch(current, {
    channels: { ...(current.channels ?? DEFAULT_CHANNELS), list },
  });
  if (!applied.ok) return applied.errors.map((e) => `${e.path} ${e.message}`).join('; ');
  store.set(applied.settings);
  return null;
}

function fail(text: string, code = 2): void {
  io.err(text);
  process.exitCode = code;
}

/** A password from stdin, so that it is neither in the shell's history nor in `ps`. */
function stdinPassword(): string {
  return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}

interface AddFlags {
  kind: string;
  url?: string;
  secret?: string;
  token?: string;
  keyword?: string;
  smtpHost?: string;
  smtpPort?: number;
  security?: string;
  user?: string;
  password?: string;
  passwordStdin: boolean;
  from?: string;
  to: string[];
  minSeverity: string;
  stack: string[];
  rule: string[];
  disabled: boolean;
  replace: boolean;
  settings: string;
}

function requestOf(name: string, f: AddFlags): AddChannelRequest {
  const password = f.passwordStdin ? stdinPassword() : f.password;
  const secrets: StoredSecrets = Object.fromEntries(
    Object.entries({ url: f.url, secret: f.secret, token: f.token, password }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const smtpGiven =
    [f.smtpHost, f.smtpPort, f.security, f.user, f.from].some((v) => v !== undefined) || f.to.length > 0;
  return {
    name,
    kind: f.kind,
    secrets,
    ...(f.keyword === undefined ? {} : { keyword: f.keyword }),
    ...(smtpGiven
      ? {
          smtp: {
            ...(f.smtpHost === undefined ? {} : { host: f.smtpHost }),
            ...(f.smtpPort === undefined ? {} : { port: f.smtpPort }),
            ...(f.security === undefined ? {} : { security: f.security }),
            ...(f.user === undefined ? {} : { user: f.user }),
            ...(f.from === undefined ? {} : { from: f.from }),
            to: f.to,
          },
        }
      : {}),
    minSeverity: f.minSeverity,
    stacks: f.stack,
    rules: f.rule,
    enabled: !f.disabled,
  };
}

async function add(name: string, flags: AddFlags): Promise<void> {
  const checked = channelFromRequest(requestOf(name, flags));
  if (!checked.ok) return fail(checked.error);
  const store = await openStore(flags.settings);
  const list = store.get().channels?.list ?? [];
  if (list.some((c) => c.name === name) && !flags.replace)
    return fail(`A channel named "${name}" is already saved; pass --replace to change it.`);
  // Secrets first: settings that name a channel whose secrets are missing would send nothing.
  const problem = saveChannelSecrets(secretsPathIn(dirname(flags.settings)), name, checked.value.secrets);
  if (problem !== null) return fail(problem);
  const saved = await saveList(store, [...list.filter((c) => c.name !== name), checked.value.setting]);
  if (saved !== null) return fail(saved);
  io.out(`Saved "${name}" (${checked.value.setting.kind}, ${checked.value.setting.target}).`);
  io.out(`Send it a test message with: dify-monitor channels test ${name}`);
}

function filterText(c: ChannelSetting): string {
  const parts = [`${c.minSeverity}+`];
  if (c.stacks.length > 0) parts.push(`stacks: ${c.stacks.join(', ')}`);
  if (c.rules.length > 0) parts.push(`rules: ${c.rules.join(', ')}`);
  return parts.join('\n');
}

function statusText(c: ChannelSetting, state: OutboxState | null): string {
  if (!c.enabled) return 'off';
  if (state === null) return 'nothing sent yet';
  const status = state.channels[c.name] ?? {};
  const waiting = state.messages.filter((m) => m.channel === c.name).length;
  const lines: string[] = [];
  if (status.error !== undefined) {
    const when = new Date(status.error.at).toISOString();
    lines.push(
      status.error.retrying ? `retrying: ${status.error.why}` : `refused (not retried): ${status.error.why}`,
    );
    lines.push(`  at ${when}`);
  } else if (status.deliveredAt !== undefined) {
    lines.push(`ok, last delivered ${new Date(status.deliveredAt).toISOString()}`);
  } else {
    lines.push('nothing sent yet');
  }
  if (waiting > 0) lines.push(`${waiting} waiting in the outbox`);
  if (status.dropped !== undefined) lines.push(`${status.dropped} dropped: the outbox was full`);
  return lines.join('\n');
}

async function list(flags: { settings: string }): Promise<void> {
  const channels = (await openStore(flags.settings)).get().channels?.list ?? [];
  if (channels.length === 0) {
    io.out(
      'No channels; alerts go to the log (and the desktop with --notify). Add one with `dify-monitor channels add`.',
    );
    return;
  }
  const state = peekOutbox(dirname(flags.settings));
  const table = new Table({ head: ['name', 'kind', 'target', 'sends', 'status'] });
  for (const c of channels) table.push([c.name, c.kind, c.target, filterText(c), statusText(c, state)]);
  io.out(table.toString());
}

async function test(name: string, flags: { settings: string }): Promise<void> {
  const settings = (await openStore(flags.settings)).get();
  const channel = settings.channels?.list.find((c) => c.name === name);
  if (channel === undefined)
    return fail(`No channel is named "${name}"; see \`dify-monitor channels list\`.`);
  // The store says so when the desktop app holds this channel's secrets in the keychain.
  const stored = await ownerOnlyFileStore(dirname(flags.settings)).read(name);
  if (typeof stored === 'string') return fail(stored);
  const secrets = secretsFor(channel.kind, stored);
  if (!secrets.ok)
    return fail(
      `No ${secrets.missing} is saved for "${name}"; add it with dify-monitor channels add ${name} --replace.`,
    );
  const now = Date.now();
  const message = testMessage(name, hostname(), now, settings.channels?.dashboardUrl ?? null);
  const ctx = { now, timeoutMs: REQUEST_TIMEOUT_MS, maxAnswerBytes: MAX_ANSWER_BYTES };
  const attempt = await deliverTo(channel.kind, message, channel, secrets.secrets, ctx);
  io.out(attempt.answer);
  const { outcome } = attempt;
  if (outcome.kind === 'delivered') io.err(`"${name}": delivered.`);
  else
    fail(
      `"${name}": ${outcome.kind === 'retry' ? 'not delivered (would be tried again)' : 'refused'}: ${outcome.why}`,
      1,
    );
}

async function remove(name: string, flags: { settings: string }): Promise<void> {
  const store = await openStore(flags.settings);
  const current = store.get().channels?.list ?? [];
  if (!current.some((c) => c.name === name)) return fail(`No channel is named "${name}".`);
  const saved = await saveList(
    store,
    current.filter((c) => c.name !== name),
  );
  if (saved !== null) return fail(saved);
  // From the desktop app's sealed file too, which the store can do by name without opening it.
  const problem = await ownerOnlyFileStore(dirname(flags.settings)).save(name, null);
  if (problem !== null) return fail(problem);
  io.out(`Removed "${name}" and its secrets; a running monitor drops what waited for it.`);
}

/** `dify-monitor channels add|list|test|remove`. */
export function registerChannelsCommand(program: Command): void {
  const channels = program
    .command('channels')
    .description(
      'Where alerts are sent besides the desktop: webhook, Slack, DingTalk, Feishu, WeCom, ntfy, e-mail. Secrets go to an owner-only file beside the settings.',
    );
  const settingsOption = ['--settings <file>', 'where settings are kept', defaultSettingsPath()] as const;
  channels
    .command('add <name>')
    .description('Save a channel (see the README for each kind’s example).')
    .addOption(
      new Option('--kind <kind>', 'what receives the alerts').choices(CHANNEL_KINDS).makeOptionMandatory(),
    )
    .option(
      '--url <url>',
      'the webhook URL (its token is a secret: kept out of the settings), or the ntfy topic URL',
    )
    .option(
      '--secret <secret>',
      'DingTalk/Feishu signing secret; for a webhook, the HMAC key of X-Dify-Monitor-Signature',
    )
    .option('--token <token>', 'ntfy access token')
    .option('--keyword <word>', 'DingTalk/Feishu: the keyword the robot requires')
    .option('--smtp-host <host>', 'e-mail: the SMTP server')
    .option('--smtp-port <port>', 'e-mail: its port (587 for STARTTLS, 465 for TLS by default)', (v) =>
      Number(v),
    )
    .addOption(
      new Option('--security <how>', 'e-mail: STARTTLS (required) or TLS from the start').choices(
        SMTP_SECURITY,
      ),
    )
    .option('--user <user>', 'e-mail: the SMTP login')
    .option('--password <password>', 'e-mail: the SMTP password (or --password-stdin)')
    .option('--password-stdin', 'e-mail: read the SMTP password from stdin', false)
    .option('--from <address>', 'e-mail: the sender')
    .option('--to <address>', 'e-mail: a recipient; repeat for several', collect, [])
    .addOption(
      new Option('--min-severity <severity>', 'send alerts this severe and worse')
        .choices(CHANNEL_SEVERITIES)
        .default('warning'),
    )
    .option('--stack <name>', 'only alerts about this stack; repeat for several (default: all)', collect, [])
    .option(
      '--rule <rule>',
      `only alerts of this rule; repeat for several (default: all): ${ALERT_RULES.join(', ')}`,
      collect,
      [],
    )
    .option('--disabled', 'save it switched off', false)
    .option('--replace', 'replace a saved channel of the same name', false)
    .option(...settingsOption)
    .action(add);
  channels
    .command('list')
    .description('Show the channels, what each sends and how its last delivery went.')
    .option(...settingsOption)
    .action(list);
  channels
    .command('test <name>')
    .description('Send a test message now and print the receiver’s exact answer.')
    .option(...settingsOption)
    .action(test);
  channels
    .command('remove <name>')
    .description('Forget a channel and its secrets.')
    .option(...settingsOption)
    .action(remove);
}
