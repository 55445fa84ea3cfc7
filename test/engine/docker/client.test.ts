import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createEngineClient } from '../../../src/docker/client.ts';
import { openHandles } from '../../helpers/fds.ts';

const exec = promisify(execFile);
const IDLE_MS = 1000;

const openSockets = (): number => openHandles('self').sockets;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('pooled connections to the real engine', () => {
  it('closes the sockets of a burst once they are idle, and keeps an idle event stream open', async () => {
    const client = createEngineClient({ socketPath: '/var/run/docker.sock' }, { idleSocketMs: IDLE_MS });
    const before = openSockets();
    const lines: string[] = [];
    let ended: Error | null | undefined;
    const events = client.events({ onLine: (line) => lines.push(line), onEnd: (error) => (ended = error) });
    try {
      await events.opened;
      const streaming = openSockets();
      // A burst like a hundred removals at once: many requests in flight, then nothing.
      await Promise.all(Array.from({ length: 24 }, () => client.ping(AbortSignal.timeout(10_000))));
      const afterBurst = openSockets();
      assert.ok(afterBurst > streaming, `the burst pooled sockets (${streaming} → ${afterBurst})`);
      await pause(IDLE_MS * 3);
      assert.equal(openSockets(), streaming, 'idle pooled sockets are closed again');
      assert.equal(ended, undefined, 'the event stream, idle as long, is still open');
      const name = `dm-pool-${process.pid}`;
      await exec('docker', [
        'create',
        '--name',
        name,
        '--network',
        'none',
        'dify-monitor/testbox:latest',
        'true',
      ]);
      await exec('docker', ['rm', name]);
      for (const deadline = Date.now() + 10_000; !lines.some((l) => l.includes(name)); await pause(50))
        assert.ok(Date.now() < deadline, 'the idle event stream still delivers events');
    } finally {
      events.close();
    }
    await pause(IDLE_MS * 3);
    assert.ok(openSockets() <= before, `back to the ${before} sockets from before`);
  });
});
