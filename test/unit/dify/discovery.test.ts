import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { discover, historyKey } from '../../../src/dify/discovery.ts';
import { fromInspect, type InspectedContainer } from '../../../src/docker/inspect.ts';

function container(
  id: string,
  image: string,
  labels: Record<string, string>,
  env: string[] = [],
): InspectedContainer {
  const inspected = fromInspect({
    Id: id,
    Name: `/${id}`,
    Config: { Image: image, Labels: labels, Env: env },
    State: { Status: 'running', Pid: 1 },
    HostConfig: { Memory: 0, NanoCpus: 0 },
  });
  assert.ok(inspected);
  return inspected;
}

const compose = (project: string, service: string, dir = `/srv/${project}`): Record<string, string> => ({
  'com.docker.compose.project': project,
  'com.docker.compose.service': service,
  'com.docker.compose.container-number': '1',
  'com.docker.compose.project.working_dir': dir,
});

describe('discover', () => {
  it('takes every member of a project with a Dify image into the stack, and nothing else', () => {
    const found = discover([
      container('a', 'langgenius/dify-api:1.10.1', compose('docker', 'api'), ['MODE=api']),
      container('b', 'redis:6-alpine', compose('docker', 'redis')),
      container('c', 'redis:6-alpine', compose('shop', 'redis')),
      container('d', 'nginx:latest', {}),
    ]);
    assert.deepEqual(
      found.stacks.map((s) => [s.name, s.containerIds]),
      [['docker', ['a', 'b']]],
    );
    const roles = Object.fromEntries(found.containers.map((c) => [c.id, [c.stack, c.role]]));
    assert.deepEqual(roles, {
      a: ['docker', 'api'],
      b: ['docker', 'redis'],
      c: [null, 'other'],
      d: [null, 'other'],
    });
  });

  it('leaves a container labelled dify-monitor.exclude=true (the monitor beside Dify) out of the stack', () => {
    const found = discover([
      container('a', 'langgenius/dify-api:1.10.1', compose('docker', 'api')),
      container('m', 'dify-monitor:0.1.0', {
        ...compose('docker', 'dify-monitor'),
        'dify-monitor.exclude': 'true',
      }),
      container('n', 'sidecar:1', { ...compose('docker', 'sidecar'), 'dify-monitor.exclude': 'no' }),
    ]);
    assert.deepEqual(
      found.stacks.map((s) => [s.name, s.containerIds]),
      [['docker', ['a', 'n']]],
    );
    const monitor = found.containers.find((c) => c.id === 'm');
    assert.deepEqual([monitor?.stack, monitor?.role], [null, 'other']);
  });

  it('tells two Dify stacks on one host apart', () => {
    const found = discover([
      container('a', 'langgenius/dify-api:1.10.1', compose('docker', 'api')),
      container('b', 'langgenius/dify-api:0.15.3', compose('difyold', 'api')),
    ]);
    assert.deepEqual(
      found.stacks.map((s) => s.name),
      ['difyold', 'docker'],
    );
  });

  it('keys history by host, stack, service and number so a recreated container continues', () => {
    const [first] = discover([
      container('old-id', 'langgenius/dify-api:1', compose('docker', 'api')),
    ]).containers;
    const [second] = discover([
      container('new-id', 'langgenius/dify-api:1', compose('docker', 'api')),
    ]).containers;
    assert.ok(first && second);
    assert.equal(historyKey('local', first), 'local/docker/api/1');
    assert.equal(historyKey('local', first), historyKey('local', second));
  });

  it('keeps only MODE from the environment: the rest may hold secrets', () => {
    const c = container('a', 'langgenius/dify-api:1', compose('docker', 'api'), [
      'MODE=worker',
      'SECRET_KEY=hunter2',
    ]);
    assert.deepEqual(c.env, { MODE: 'worker' });
  });
});
