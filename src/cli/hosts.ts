import { accessSync, constants } from 'node:fs';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { parseHostUrl } from '../docker/endpoint.ts';
import { scanDockerConfig } from '../hosts/import.ts';
import { HOST_NAME_PATTERN } from '../settings/host-name.ts';
import { removeTlsFiles, storeTlsFiles, type TlsSources } from '../hosts/tls-files.ts';
import type { HostSetting } from '../settings/schema.ts';
import { defaultSettingsPath } from '../settings/paths.ts';
import type { SettingsStore } from '../settings/store.ts';
import { plainTcpWarning, savedEndpoint, testHost } from '../collect/connect.ts';

export interface HostsOutput {
  out(text: string): void;
  err(text: string): void;
}

const console: HostsOutput = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Loaded on use: the schema validator is not `watch`'s to pay for. */
async function openStore(path: string, io: HostsOutput): Promise<SettingsStore> {
  const { openSettingsFile } = await import('../settings/store.ts');
  const opened = openSettingsFile(path, Date.now());
  if (opened.notice !== undefined) io.err(opened.notice);
  return opened.store;
}

async function saveHosts(store: SettingsStore, hosts: readonly HostSetting[]): Promise<string | null> {
  const { applySettingsPatch } = await import('../settings/schema.ts');
  const applied = applySettingsPatch(store.get(), { hosts });
  if (!applied.ok) return applied.errors.map((e) => `${e.path} ${e.message}`).join('; ');
  store.set(applied.settings);
  return null;
}

function readable(file: string, what: string): string | null {
  try {
    accessSync(file, constants.R_OK);
    return null;
  } catch (error) {
    return `Cannot read the ${what} ${file}: ${(error as Error).message}.`;
  }
}

export interface AddRequest {
  readonly name: string;
  readonly url: string;
  readonly tls?: TlsSources;
  readonly identityFile?: string;
  readonly knownHostsFile?: string;
  readonly replace: boolean;
}

/** Checks, copies TLS files and saves; resolves with an error sentence, or null when saved. */
async function addHost(
  settingsPath: string,
  store: SettingsStore,
  request: AddRequest,
): Promise<string | null> {
  if (!new RegExp(HOST_NAME_PATTERN).test(request.name) || request.name === 'local') {
    return `"${request.name}" cannot name a host: use letters, digits, ".", "-" and "_" (and not "local", the engine found by itself).`;
  }
  const hasTls = request.tls !== undefined && Object.keys(request.tls).length > 0;
  const parsed = parseHostUrl(request.url, hasTls ? { verify: true } : null);
  if (!parsed.ok) return parsed.error;
  const { transport } = parsed.endpoint;
  if (hasTls && transport !== 'tcp') return 'TLS files only apply to tcp:// addresses.';
  if (hasTls && request.tls?.ca === undefined) {
    return 'TLS needs the CA that signed the engine’s certificate (--tls-ca): verification is never turned off.';
  }
  if ((request.identityFile !== undefined || request.knownHostsFile !== undefined) && transport !== 'ssh') {
    return '--identity and --known-hosts only apply to ssh:// addresses.';
  }
  for (const [file, what] of [
    [request.identityFile, 'SSH key'],
    [request.knownHostsFile, 'known_hosts file'],
  ] as const) {
    const problem = file === undefined ? null : readable(file, what);
    if (problem !== null) return problem;
  }
  const current = store.get().hosts;
  const existing = current.find((h) => h.name === request.name);
  if (existing !== undefined && !request.replace) {
    return `A host named "${request.name}" is already saved (${existing.url}); pass --replace to change it.`;
  }
  let tls;
  try {
    tls = hasTls ? storeTlsFiles(settingsPath, request.name, request.tls ?? {}) : undefined;
  } catch (error) {
    return (error as Error).message;
  }
  const host: HostSetting = {
    name: request.name,
    url: parsed.endpoint.url,
    ...(tls === undefined ? {} : { tls }),
    ...(request.identityFile === undefined ? {} : { identityFile: request.identityFile }),
    ...(request.knownHostsFile === undefined ? {} : { knownHostsFile: request.knownHostsFile }),
  };
  const problem = await saveHosts(store, [...current.filter((h) => h.name !== request.name), host]);
  if (problem !== null) return problem;
  if (existing?.tls !== undefined && tls === undefined) removeTlsFiles(settingsPath, request.name);
  return null;
}

function security(host: HostSetting): string {
  const parsed = savedEndpoint(host);
  if (!parsed.ok) return 'invalid';
  switch (parsed.endpoint.transport) {
    case 'tcp':
      return parsed.endpoint.tls === null ? 'plain TCP: unauthenticated!' : 'TLS, verified';
    case 'ssh':
      return `SSH (${host.identityFile ?? 'ssh-agent'}; ${host.knownHostsFile ?? '~/.ssh/known_hosts'})`;
    default:
      return 'local socket';
  }
}

function tlsSourcesOf(opts: { tlsCa?: string; tlsCert?: string; tlsKey?: string }): TlsSources {
  return {
    ...(opts.tlsCa === undefined ? {} : { ca: opts.tlsCa }),
    ...(opts.tlsCert === undefined ? {} : { cert: opts.tlsCert }),
    ...(opts.tlsKey === undefined ? {} : { key: opts.tlsKey }),
  };
}

/** `dify-monitor hosts add|list|test|remove|import`. */
export function registerHostsCommand(program: Command, io: HostsOutput = console): void {
  const hosts = program
    .command('hosts')
    .description('Manage the remote engines watched besides the local one (kept in the settings file).');
  const settingsOption = ['--settings <file>', 'where settings are kept', defaultSettingsPath()] as const;

  hosts
    .command('add <name> <url>')
    .description(
      'Save an engine: tcp://host:2376 with --tls-*, ssh://user@host[:port], unix:///path (e.g. a Podman socket), or plain tcp://host:2375',
    )
    .option(
      '--tls-ca <file>',
      'CA certificate that signed the engine’s certificate (copied, verification always on)',
    )
    .option('--tls-cert <file>', 'client certificate (copied)')
    .option('--tls-key <file>', 'client key (copied, mode 0600)')
    .option('--identity <keyfile>', 'SSH private key to offer (default: the keys in ssh-agent)')
    .option(
      '--known-hosts <file>',
      'known_hosts file to check the SSH host key against (default ~/.ssh/known_hosts)',
    )
    .option('--replace', 'replace a saved host of the same name', false)
    .option(...settingsOption)
    .action(
      async (
        name: string,
        url: string,
        opts: {
          tlsCa?: string;
          tlsCert?: string;
          tlsKey?: string;
          identity?: string;
          knownHosts?: string;
          replace: boolean;
          settings: string;
        },
      ) => {
        const store = await openStore(opts.settings, io);
        const error = await addHost(opts.settings, store, {
          name,
          url,
          tls: tlsSourcesOf(opts),
          ...(opts.identity === undefined ? {} : { identityFile: opts.identity }),
          ...(opts.knownHosts === undefined ? {} : { knownHostsFile: opts.knownHosts }),
          replace: opts.replace,
        });
        if (error !== null) {
          io.err(error);
          process.exitCode = 2;
          return;
        }
        const saved = store.get().hosts.find((h) => h.name === name);
        const parsed = saved === undefined ? null : savedEndpoint(saved);
        io.out(`Saved "${name}" (${saved?.url ?? url}). Check it with: dify-monitor hosts test ${name}`);
        const warning = parsed?.ok === true ? plainTcpWarning(parsed.endpoint) : undefined;
        if (warning !== undefined) io.err(`warning: ${warning}`);
      },
    );

  hosts
    .command('list')
    .description('Show the saved hosts.')
    .option(...settingsOption)
    .action(async (opts: { settings: string }) => {
      const saved = (await openStore(opts.settings, io)).get().hosts;
      if (saved.length === 0) {
        io.out('No saved hosts; `watch` uses the local engine only. Add one with `dify-monitor hosts add`.');
        return;
      }
      const table = new Table({ head: ['name', 'url', 'security', 'TLS files'] });
      for (const host of saved) {
        const files = host.tls === undefined ? '' : Object.values(host.tls).join('\n');
        table.push([host.name, host.url, security(host), files]);
      }
      io.out(table.toString());
    });

  hosts
    .command('test <host>')
    .description(
      'Connect once to a saved host (by name) or a URL; print engine version, OS and memory, or the exact error.',
    )
    .option('--timeout <ms>', 'give up after this many milliseconds', (v) => Number(v), 10_000)
    .option(...settingsOption)
    .action(async (nameOrUrl: string, opts: { timeout: number; settings: string }) => {
      const saved = (await openStore(opts.settings, io)).get().hosts.find((h) => h.name === nameOrUrl);
      if (saved === undefined && !nameOrUrl.includes('://') && !nameOrUrl.startsWith('/')) {
        io.err(`No saved host is named "${nameOrUrl}"; see \`dify-monitor hosts list\`, or give a URL.`);
        process.exitCode = 2;
        return;
      }
      const result = await testHost(saved ?? nameOrUrl, opts.timeout);
      if (result.ok) {
        io.out(`${saved?.name ?? nameOrUrl}: ${result.summary}`);
        if (result.warning !== undefined) io.err(`warning: ${result.warning}`);
      } else {
        io.err(`${saved?.name ?? nameOrUrl}: ${result.state}: ${result.error}`);
        process.exitCode = 1;
      }
    });

  hosts
    .command('remove <name>')
    .description('Forget a saved host and delete its copied TLS files.')
    .option(...settingsOption)
    .action(async (name: string, opts: { settings: string }) => {
      const store = await openStore(opts.settings, io);
      const current = store.get().hosts;
      if (!current.some((h) => h.name === name)) {
        io.err(`No saved host is named "${name}".`);
        process.exitCode = 2;
        return;
      }
      const problem = await saveHosts(
        store,
        current.filter((h) => h.name !== name),
      );
      if (problem !== null) {
        io.err(problem);
        process.exitCode = 2;
        return;
      }
      removeTlsFiles(opts.settings, name);
      io.out(`Removed "${name}".`);
    });

  hosts
    .command('import')
    .description('Save the engines of your Docker contexts (~/.docker/contexts) and DOCKER_HOST.')
    .option(...settingsOption)
    .action(async (opts: { settings: string }) => {
      const store = await openStore(opts.settings, io);
      const scan = scanDockerConfig();
      for (const line of scan.skipped) io.err(`skipped ${line}`);
      let added = 0;
      for (const candidate of scan.candidates) {
        const taken = store
          .get()
          .hosts.find((h: HostSetting) => h.name === candidate.name || h.url === candidate.url);
        if (taken !== undefined) {
          io.out(`${candidate.from}: already saved as "${taken.name}"`);
          continue;
        }
        const error = await addHost(opts.settings, store, {
          name: candidate.name,
          url: candidate.url,
          ...(candidate.tls === undefined ? {} : { tls: candidate.tls }),
          replace: false,
        });
        if (error === null) {
          added++;
          io.out(`${candidate.from}: saved as "${candidate.name}" (${candidate.url})`);
        } else {
          io.err(`${candidate.from}: not imported: ${error}`);
        }
      }
      io.out(added === 0 ? 'Nothing new to import.' : `Imported ${added} host${added === 1 ? '' : 's'}.`);
    });
}
