import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createExporterControl } from '../../../main/exporter.ts';
import { startMetricsServer } from '../../../src/metrics/http.ts';
import { readOrCreateTokenFile } from '../../../src/auth/token-file.ts';
import { DEFAULT_SETTINGS, type ExporterSetting, type Settings } from '../../../src/settings/schema.ts';
import { host, sample } from '../../helpers/metrics-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'dm-exporter-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const withExporter = (exporter: ExporterSetting): Settings => ({ ...DEFAULT_SETTINGS, exporter });

function control(tokenPath: string) {
  const told: string[] = [];
  const exporter = createExporterControl({
    start: startMetricsServer,
    read: () => ({
      samples: [sample('docker-api-1')],
      hosts: [host('local', 'up')],
      active: [],
      oomKills: new Map(),
    }),
    token: () => readOrCreateTokenFile(tokenPath),
    tokenPath,
    tell: (text) => told.push(text),
    warn: () => undefined,
  });
  return { exporter, told };
}

describe('the desktop exporter follows its setting', () => {
  it('is off by default, serves /metrics on loopback once enabled, and stops when disabled', async () => {
    const { exporter } = control(join(dir, 'unused.token'));
    await exporter.apply(DEFAULT_SETTINGS);
    assert.equal(exporter.url(), null);
    await exporter.apply(withExporter({ enabled: true, bind: '127.0.0.1', port: 0 }));
    const url = exporter.url();
    assert.ok(url !== null);
    try {
      const text = await (await fetch(url)).text();
      assert.match(text, /container_memory_working_set_bytes\{[^}]*name="docker-api-1"/);
    } finally {
      await exporter.apply(withExporter({ enabled: false, bind: '127.0.0.1', port: 0 }));
    }
    assert.equal(exporter.url(), null);
    await assert.rejects(fetch(url), 'the port is closed');
  });

  it('off loopback, makes an owner-only token file, says where it is, and requires the token', async () => {
    const tokenPath = join(dir, 'exporter.token');
    const { exporter, told } = control(tokenPath);
    await exporter.apply(withExporter({ enabled: true, bind: '0.0.0.0', port: 0 }));
    try {
      const url = exporter.url();
      assert.ok(url !== null);
      const local = url.replace('0.0.0.0', '127.0.0.1');
      assert.equal((await fetch(local)).status, 401);
      const token = readFileSync(tokenPath, 'utf8').trim();
      const scraped = await fetch(local, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(scraped.status, 200);
      assert.deepEqual(told, [`The Prometheus exporter's token is in ${tokenPath}.`]);
    } finally {
      await exporter.stop();
    }
  });

  it('tells the user when the port is taken, and keeps the app running', async () => {
    const first = control(join(dir, 'a.token'));
    await first.exporter.apply(withExporter({ enabled: true, bind: '127.0.0.1', port: 0 }));
    const port = Number(new URL(first.exporter.url() ?? '').port);
    const second = control(join(dir, 'b.token'));
    try {
      await second.exporter.apply(withExporter({ enabled: true, bind: '127.0.0.1', port }));
      assert.equal(second.exporter.url(), null);
      assert.match(second.told.join('\n'), new RegExp(`could not listen on 127.0.0.1:${port}: .*EADDRINUSE`));
    } finally {
      await first.exporter.stop();
    }
  });
});
