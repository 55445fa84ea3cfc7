import type { HostTestRequest, HostTestResult } from '../api.ts';
import { HOST_FAILURE_STATES, isOneOf } from '../model.ts';
import type { HostSetting } from '../settings/schema.ts';
import type { Clock } from '../util/clock.ts';

/** How long `hosts:test` waits for an engine by default. */
export const HOST_TEST_TIMEOUT_MS = 10_000;

/** `hosts:test`: one connection attempt to a saved host or a typed address, answered in time. */
export async function testHostRequest(
  request: HostTestRequest,
  saved: readonly HostSetting[],
  clock: Clock,
  timeoutMs: number,
): Promise<HostTestResult> {
  let target: string | HostSetting;
  if ('name' in request) {
    const host = saved.find((h) => h.name === request.name);
    if (host === undefined)
      return { ok: false, state: 'down', message: `No saved host is named "${request.name}".` };
    target = host;
  } else {
    target = request.url;
  }
  // Loaded on use: one engine dial is not every monitor's to pay for at start.
  const { testHost } = await import('../collect/connect.ts');
  let timer: unknown;
  // The SSH handshake keeps its own, longer timeout; the page gets an answer in time regardless.
  const late = new Promise<{ ok: false; state: 'down'; error: string }>((resolve) => {
    timer = clock.setTimeout(
      () =>
        resolve({ ok: false, state: 'down', error: `Timed out: no answer within ${timeoutMs / 1000} s.` }),
      timeoutMs,
    );
  });
  const result = await Promise.race([testHost(target, timeoutMs), late]);
  clock.clearTimeout(timer);
  if (!result.ok) {
    const state = isOneOf(HOST_FAILURE_STATES, result.state) ? result.state : 'down';
    return { ok: false, state, message: result.error };
  }
  const { engine } = result;
  return {
    ok: true,
    product: engine.product ?? 'Docker',
    version: engine.version,
    apiVersion: engine.apiVersion,
    os: engine.operatingSystem === '' ? engine.os : `${engine.operatingSystem} (${engine.os})`,
    memTotalBytes: engine.memTotalBytes,
    cpus: engine.cpus,
    summary: result.summary,
    ...(result.warning === undefined ? {} : { warning: result.warning }),
  };
}
