/**
 * What watching one engine costs over each transport: the same stand-in stack on one throw-away
 * dockerd, reached through its unix socket, plain TCP (a forwarder to that socket), TLS (the
 * daemon's own TLS listener) and SSH (sshd on loopback running `docker system dial-stdio`).
 * Reports our process's CPU time per round and the round's latency, as ratios to the local
 * socket, all from one run. Stats come from the API in every case (`--source api`), so only the
 * transport differs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLineSplitter } from '../src/util/lines.ts';
import { makeTestPki } from '../test/helpers/certs.ts';
import { startExtraDockerd } from '../test/helpers/dockerd.ts';
import { freePort } from '../test/helpers/free-port.ts';
import { startSshAgent, startSshd } from '../test/helpers/sshd.ts';
import { seedImages, LAYOUT } from '../test/remote/daemons.ts';
import { startStack } from '../test/stack/stack.ts';
import { cpuSeconds } from './proc.ts';

const SHIPPED_CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const WARMUP_MS = 8000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Round {
  fresh: number;
  running: number;
  durationMs: number;
}

interface Measured {
  readonly name: string;
  readonly cpuPerRoundMs: number;
  readonly latencyMs: number;
  readonly rounds: readonly Round[];
}

async function measure(
  name: string,
  url: string,
  interval: string,
  windowMs: number,
  env: NodeJS.ProcessEnv,
): Promise<Measured> {
  const rounds: Round[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--max-semi-space-size=1',
      SHIPPED_CLI,
      'watch',
      '--json',
      '--source',
      'api',
      '--interval',
      interval,
      '--host',
      url,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env },
  );
  child.stdout?.on(
    'data',
    createLineSplitter(1 << 20, (line) => {
      if (line.startsWith('{"type":"round"')) rounds.push(JSON.parse(line) as Round);
    }),
  );
  await sleep(WARMUP_MS);
  const pid = child.pid ?? 0;
  const before = cpuSeconds(pid) ?? 0;
  rounds.length = 0;
  await sleep(windowMs);
  const after = cpuSeconds(pid) ?? 0;
  const counted = [...rounds];
  const closed = new Promise((r) => child.once('close', r));
  child.kill('SIGTERM');
  await closed;
  const n = Math.max(1, counted.length);
  return {
    name,
    cpuPerRoundMs: ((after - before) * 1000) / n,
    latencyMs: counted.reduce((sum, r) => sum + r.durationMs, 0) / n,
    rounds: counted,
  };
}

function report(title: string, rows: readonly Measured[]): void {
  const base = rows[0];
  if (base === undefined) return;
  console.log(`\n${title}`);
  console.log('transport | our CPU ms/round | × local | round latency ms | × local | rounds (all fresh)');
  for (const m of rows) {
    const fresh = m.rounds.filter((r) => r.fresh >= r.running).length;
    console.log(
      [
        m.name,
        m.cpuPerRoundMs.toFixed(1),
        `${(m.cpuPerRoundMs / base.cpuPerRoundMs).toFixed(2)}×`,
        m.latencyMs.toFixed(1),
        `${(m.latencyMs / Math.max(0.1, base.latencyMs)).toFixed(2)}×`,
        `${m.rounds.length} (${fresh})`,
      ].join(' | '),
    );
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'dm-bench-remote-'));
  const pki = await makeTestPki(join(work, 'pki'));
  const tlsPort = await freePort();
  const dockerd = await startExtraDockerd('bench-remote', tlsPort, {
    ca: pki.ca,
    cert: pki.server.cert,
    key: pki.server.key,
  });
  const plainPort = await freePort();
  // Plain TCP in front of the same engine: a forwarder in its own process, so none of its CPU is ours.
  const forwarder = spawn(
    process.execPath,
    [
      '-e',
      `require('node:net').createServer((c) => { const u = require('node:net').connect(${JSON.stringify(dockerd.socket)}); c.pipe(u).pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); }).listen(${plainPort}, '127.0.0.1')`,
    ],
    { stdio: 'ignore' },
  );
  const sshd = await startSshd(dockerd.url);
  const agent = await startSshAgent(sshd.dir, sshd.clientKey);
  try {
    await seedImages(dockerd);
    await startStack({ layout: LAYOUT, tag: 'bench-remote', docker: dockerd.docker });
    const home = join(work, 'home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'known_hosts'), `${sshd.knownHostsLine}\n`);
    const certDir = join(work, 'client');
    mkdirSync(certDir);
    for (const [from, to] of [
      [pki.ca, 'ca.pem'],
      [pki.client.cert, 'cert.pem'],
      [pki.client.key, 'key.pem'],
    ] as const) {
      copyFileSync(from, join(certDir, to));
    }
    const env = { ...process.env, HOME: home, SSH_AUTH_SOCK: agent.socket };
    const tlsEnv = { ...env, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir };
    const cases = [
      ['local socket', dockerd.url, env],
      ['tcp (plain)', `tcp://127.0.0.1:${plainPort}`, env],
      ['tcp + TLS', `tcp://127.0.0.1:${tlsPort}`, tlsEnv],
      ['ssh', `ssh://root@127.0.0.1:${sshd.port}`, env],
    ] as const;
    for (const [interval, windowMs, title] of [
      ['1s', 20_000, 'fast mode (1 s, one stats stream per container), 20 s window'],
      ['5s', 30_000, 'tray mode (5 s, one-shot polls), 30 s window'],
    ] as const) {
      const rows: Measured[] = [];
      for (const [name, url, caseEnv] of cases)
        rows.push(await measure(name, url, interval, windowMs, caseEnv));
      report(title, rows);
    }
  } finally {
    agent.stop();
    forwarder.kill('SIGTERM');
    await sshd.stop();
    await dockerd.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
