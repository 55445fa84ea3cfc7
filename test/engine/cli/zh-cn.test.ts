/**
 * `LANG=zh_CN.UTF-8 dify-monitor watch --once` against the stand-in stack (#17): the table, its
 * stack headings, states and verdicts, and whatever watch writes to stderr, are Chinese. What is
 * left in Latin letters is names (containers, stacks, hosts, roles) and units, nothing else.
 * And serve follows a language picked on its dashboard: the next channel message is in it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROLES } from '../../../src/model.ts';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { runCli } from '../../helpers/cli.ts';
import { startServeIn } from '../../helpers/serve-process.ts';
import { startWebhookReceiver } from '../../helpers/webhook-receiver.ts';
import { englishLeft, hasChinese, UNIT_AND_PRODUCT_WORDS } from '../../helpers/chinese.ts';
import { removeAll, startStack, type StandInStack } from '../../stack/stack.ts';

const TAG = 'zh-cn';
const PROJECT = 'dmzhcn';
const dir = mkdtempSync(join(tmpdir(), 'dm-zh-cn-'));
let stack: StandInStack;

/** Every container and compose project on the engine: other tests' stacks show in the table too. */
function engineNames(): string[] {
  const out = execFileSync(
    'docker',
    ['ps', '-a', '--format', '{{.Names}}\t{{.Label "com.docker.compose.project"}}'],
    { encoding: 'utf8' },
  );
  return out.split(/[\n\t]/).filter((name) => name !== '');
}

describe('watch --once in Simplified Chinese', () => {
  before(async () => {
    await removeAll(TAG);
    stack = await startStack({
      tag: TAG,
      layout: 'current',
      project: PROJECT,
      memLimits: { api: '200m', worker: '200m' },
      workloads: { api: { kind: 'steady', mib: 100 }, worker: { kind: 'steady', mib: 60 } },
    });
    // api at about 50 % of its limit is critical, the worker at about 30 % a warning.
    const memory = { warningPercent: 25, criticalPercent: 45, hysteresisPoints: 2 };
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({ ...DEFAULT_SETTINGS, alerts: { ...DEFAULT_SETTINGS.alerts, memory } }),
    );
  });

  after(async () => {
    await removeAll(TAG);
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the table in Chinese, with no English but names and units', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'zh_CN.UTF-8', NO_COLOR: '1' };
    delete env['LC_ALL'];
    delete env['LC_MESSAGES'];
    const run = await runCli(
      [
        'watch',
        '--once',
        '--host',
        'unix:///var/run/docker.sock',
        '--settings',
        join(dir, 'settings.json'),
        '--alert-log',
        join(dir, 'alerts.json'),
      ],
      60_000,
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const out = run.stdout;
    assert.ok(hasChinese(out), out);
    assert.match(out, /^名称\s+角色\s+CPU %\s+内存用量 \/ 上限/m, out);
    assert.ok(out.includes(`local · 堆栈 ${PROJECT}`), out);
    for (const container of stack.containers)
      assert.ok(out.includes(container.name), `${container.name}\n${out}`);
    assert.match(out, new RegExp(`^${PROJECT}-api-1 .*严重：内存严重$`, 'm'), out);
    assert.match(out, new RegExp(`^${PROJECT}-worker-1 .*警告：内存偏高$`, 'm'), out);

    const names = [...engineNames(), ...ROLES, 'local'];
    assert.deepEqual(
      englishLeft(`${out}\n${run.stderr}`, names, UNIT_AND_PRODUCT_WORDS),
      [],
      `${out}\n${run.stderr}`,
    );
  });

  it('serve: after the language is set to Chinese on the dashboard, a channel test message is Chinese', async (t) => {
    const receiver = await startWebhookReceiver();
    t.after(() => receiver.close());
    const serveDir = join(dir, 'serve');
    const serve = await startServeIn(serveDir, ['--host', 'unix:///var/run/docker.sock']);
    t.after(() => serve.stop());
    const call = async (channel: string, body: unknown): Promise<Record<string, unknown>> => {
      const answer = await fetch(`${serve.url}api/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(answer.status, 200, await answer.clone().text());
      return (await answer.json()) as Record<string, unknown>;
    };
    await call('channels:add', {
      name: 'ops',
      kind: 'webhook',
      secrets: { url: receiver.url },
      minSeverity: 'warning',
      stacks: [],
      rules: [],
    });
    await call('channels:test', { name: 'ops' });
    assert.match(String(receiver.accepted.at(-1)?.['title']), /test message for ops/);

    await call('settings:set', { language: 'zh-CN' });
    await call('channels:test', { name: 'ops' });
    const body = receiver.accepted.at(-1) ?? {};
    assert.equal(body['title'], '🔔 Dify Monitor：发往 ops 的测试消息');
    const text = `${String(body['title'])}\n${String(body['text'])}`;
    assert.deepEqual(englishLeft(text, ['ops', hostname()], UNIT_AND_PRODUCT_WORDS), [], text);
    assert.deepEqual(receiver.invalid, []);
  });
});
