import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRequest } from '../../../src/api.ts';
import type { ProcessTable } from '../../../src/model.ts';
import { createMonitorService } from '../../../src/service/create-monitor.ts';
import { DEFAULT_SETTINGS } from '../../../src/settings/schema.ts';
import { memorySettingsStore } from '../../../src/settings/store.ts';
import { FakeCollector, fakeClock, T0 } from '../../helpers/fake-collector.ts';
import { makeHostState, makeSample } from '../../helpers/samples.ts';

const TABLE: ProcessTable = {
  host: 'local',
  key: 'local/docker/api/1',
  id: 'docker-api-1-id',
  name: 'docker-api-1',
  ts: T0,
  source: 'proc',
  processes: [
    {
      pid: 9,
      ppid: 1,
      label: 'gunicorn worker',
      command: 'gunicorn',
      rssBytes: 1,
      rssTrendBytesPerSec: null,
    },
  ],
  exited: [],
};

/** A collector that can read the processes of its containers, and records who asked. */
class ReadingCollector extends FakeCollector {
  readonly asked: string[] = [];
  async processes(id: string): Promise<ProcessTable | null> {
    this.asked.push(id);
    return id === TABLE.id ? TABLE : null;
  }
}

describe('monitor:processes', () => {
  it('asks the collector of the container’s host by the id of its latest sample; an unknown key is null', async () => {
    const local = new ReadingCollector('local');
    const other = new ReadingCollector('other');
    const service = createMonitorService({
      collectors: [local, other],
      clock: fakeClock(),
      settings: memorySettingsStore(DEFAULT_SETTINGS),
    });
    local.host(makeHostState('local', 'up', { ts: T0 }));
    local.round(T0, [makeSample({ ts: T0 })]);
    assert.deepEqual(await service.handle('monitor:processes', { key: 'local/docker/api/1' }), TABLE);
    assert.deepEqual(local.asked, ['docker-api-1-id']);
    assert.deepEqual(other.asked, []);
    assert.equal(await service.handle('monitor:processes', { key: 'local/docker/web/1' }), null);
    await service.stop();
  });

  it('a page must name a container key', () => {
    assert.deepEqual(checkRequest('monitor:processes', { key: 'local/docker/api/1' }), {
      ok: true,
      value: { key: 'local/docker/api/1' },
    });
    assert.deepEqual(checkRequest('monitor:processes', { key: 'a key with spaces' }), {
      ok: false,
      error: 'monitor:processes: expects { key } of a container',
    });
    assert.equal(checkRequest('monitor:processes', null).ok, false);
  });
});
