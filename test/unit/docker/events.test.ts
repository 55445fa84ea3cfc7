import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../../src/docker/events.ts';

const oom = JSON.stringify({
  status: 'oom',
  id: 'abc',
  from: 'dify-monitor/testbox:latest',
  Type: 'container',
  Action: 'oom',
  Actor: { ID: 'abc', Attributes: { image: 'dify-monitor/testbox:latest', name: 'docker-worker-1' } },
  scope: 'local',
  time: 1763866800,
  timeNano: 1763866800123456800,
});

describe('parseEvent', () => {
  it('reads an oom event with the engine timestamp', () => {
    const event = parseEvent(oom, 0);
    assert.equal(event?.action, 'oom');
    assert.equal(event?.name, 'docker-worker-1');
    assert.equal(event?.ts, 1763866800123);
  });
  it('splits health_status into action and health', () => {
    const line = JSON.stringify({
      Type: 'container',
      Action: 'health_status: unhealthy',
      Actor: { ID: 'abc', Attributes: { name: 'x' } },
      time: 1,
    });
    const event = parseEvent(line, 0);
    assert.equal(event?.action, 'health_status');
    assert.equal(event?.health, 'unhealthy');
  });
  it('keeps the exit code of die', () => {
    const line = JSON.stringify({
      Type: 'container',
      Action: 'die',
      Actor: { ID: 'a', Attributes: { exitCode: '137' } },
    });
    assert.equal(parseEvent(line, 5)?.exitCode, 137);
    assert.equal(parseEvent(line, 5)?.ts, 5);
  });
  it('ignores what it does not follow, and garbage', () => {
    assert.equal(
      parseEvent(JSON.stringify({ Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'a' } }), 0),
      null,
    );
    assert.equal(
      parseEvent(JSON.stringify({ Type: 'network', Action: 'connect', Actor: { ID: 'a' } }), 0),
      null,
    );
    assert.equal(parseEvent('{"Type":"container","Action":"oom"', 0), null);
    assert.equal(parseEvent('null', 0), null);
    assert.equal(parseEvent('[]', 0), null);
    assert.equal(parseEvent(JSON.stringify({ Type: 'container', Action: 'oom', Actor: {} }), 0), null);
  });
});
