/** A real Prometheus (Debian's package), in a temp dir of its own, scraping what the test names. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export const PROMETHEUS = '/usr/bin/prometheus';

export interface PrometheusProcess {
  readonly url: string;
  /** An instant query's result vector; throws with Prometheus's own error text. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  api(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startPrometheus(options: {
  readonly target: string;
  readonly ruleFiles: readonly string[];
}): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'dm-prometheus-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`),
      'scrape_configs:',
      '  - job_name: dify-monitor',
      '    static_configs:',
      `      - targets: [${JSON.stringify(options.target)}]`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus did not get ready: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const api = async (path: string): Promise<unknown> => {
    const body = (await (await fetch(`${url}${path}`)).json()) as {
      status: string;
      data: unknown;
      error?: string;
    };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? body.status}`);
    return body.data;
  };
  return {
    url,
    api,
    async query(expr) {
      const data = (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
        resultType: string;
        result: { metric: Record<string, string>; value: [number, string] }[];
      };
      return data.result;
    },
    async stop() {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
