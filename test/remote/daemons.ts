/**
 * Remote engines for the transport tests: throw-away dockerd instances on loopback TCP, one plain
 * and one with TLS, each running the same stand-in Dify stack (Compose project `docker` on both).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { servicesOf } from '../stack/layouts.ts';
import { startStack, type StandInStack } from '../stack/stack.ts';
import { copyImage, startExtraDockerd, type ExtraDockerd } from '../helpers/dockerd.ts';
import { freePort } from '../helpers/free-port.ts';
import { makeTestPki, type TestPki } from '../helpers/certs.ts';
import { CLI } from '../helpers/cli.ts';

const exec = promisify(execFile);

export const LAYOUT = 'old';
export const SERVICES = servicesOf(LAYOUT).map((d) => d.service);

export interface RemoteEngine {
  readonly dockerd: ExtraDockerd;
  readonly port: number;
  readonly stack: StandInStack;
}

/** Every image the stand-in stack needs, loaded into the new engine: there is no registry. */
export async function seedImages(dockerd: ExtraDockerd): Promise<void> {
  const images = [...new Set([...servicesOf(LAYOUT).map((d) => d.image), 'busybox:latest'])];
  for (const image of images) await copyImage(image, dockerd);
}

export async function startRemoteEngine(name: string, tag: string, tls?: TestPki): Promise<RemoteEngine> {
  const port = await freePort();
  const dockerd = await startExtraDockerd(
    name,
    port,
    tls === undefined ? undefined : { ca: tls.ca, cert: tls.server.cert, key: tls.server.key },
  );
  await seedImages(dockerd);
  const stack = await startStack({ layout: LAYOUT, tag, docker: dockerd.docker });
  return { dockerd, port, stack };
}

/** A settings file of its own, so saved hosts never touch the user's. */
export function tempSettings(prefix: string): { path: string; dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    dir,
    path: join(dir, 'settings.json'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `dify-monitor hosts …` to completion. */
export async function hostsCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, 'hosts', ...args], {
      env,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export { makeTestPki, type TestPki };
