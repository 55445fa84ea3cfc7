import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { removeAll, startOther, startStack } from '../../stack/stack.ts';

const TAG = 'roles';

const CURRENT_ROLES: Readonly<Record<string, string>> = {
  init_permissions: 'init',
  api: 'api',
  worker: 'worker',
  worker_beat: 'worker_beat',
  web: 'web',
  db_postgres: 'db',
  redis: 'redis',
  sandbox: 'sandbox',
  plugin_daemon: 'plugin_daemon',
  ssrf_proxy: 'ssrf_proxy',
  nginx: 'nginx',
  weaviate: 'vector_store',
  api_websocket: 'api_websocket',
  agent_backend: 'agent_backend',
  local_sandbox: 'sandbox',
  agent_ssrf_proxy: 'ssrf_proxy',
  seekdb: 'vector_store',
};

describe('roles on the real engine', () => {
  after(() => removeAll(TAG));

  it('are right for the current layout with the 1.16 additions and the old one side by side, and a non-Dify container is other', async () => {
    const current = await startStack({ layout: 'current', project: 'dm-roles-new', tag: TAG });
    const added = await startStack({ layout: 'agents', project: 'dm-roles-new', tag: TAG });
    const old = await startStack({
      layout: 'old',
      project: 'dm-roles-old',
      workingDir: '/srv/dify-0.15/docker',
      tag: TAG,
    });
    const other = await startOther(TAG, 'dm-roles-other');
    const run = await runCli(['watch', '--once', '--json', '--all'], 60_000);
    assert.equal(run.code, 0, run.stderr);
    const byName = new Map(run.lines.filter((l) => l['type'] === 'sample').map((l) => [l['name'], l]));

    for (const c of [...current.containers, ...added.containers]) {
      const sample = byName.get(c.name);
      assert.equal(sample?.['role'], CURRENT_ROLES[c.service ?? ''], c.name);
      assert.equal(sample?.['stack'], 'dm-roles-new');
      assert.equal(sample?.['service'], c.service);
    }
    const init = byName.get(current.service('init_permissions').name);
    assert.equal(init?.['state'], 'exited');
    assert.equal(init['exitCode'], 0);

    const oldRoles = new Map(old.containers.map((c) => [c.service, byName.get(c.name)?.['role']]));
    assert.equal(oldRoles.get('db'), 'db');
    assert.equal(oldRoles.get('worker'), 'worker');
    assert.equal(oldRoles.get('weaviate'), 'vector_store');
    assert.equal(oldRoles.has('plugin_daemon'), false);
    for (const c of old.containers) assert.equal(byName.get(c.name)?.['stack'], 'dm-roles-old');

    const outsider = byName.get(other.name);
    assert.equal(outsider?.['role'], 'other');
    assert.equal(outsider['stack'], null);
  });

  it('shows only Dify containers unless --all is given', async () => {
    const run = await runCli(['watch', '--once', '--json'], 60_000);
    assert.equal(run.code, 0, run.stderr);
    const samples = run.lines.filter((l) => l['type'] === 'sample');
    assert.ok(samples.length > 0);
    assert.ok(samples.every((s) => s['stack'] !== null));
  });
});
