import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCmdline, parsePids, parseProcStatus } from '../../../src/collect/proc-reader.ts';
import { ProcessHistory } from '../../../src/collect/process-history.ts';
import { processLabel } from '../../../src/collect/process-label.ts';
import type { RawProcess } from '../../../src/collect/process-reading.ts';
import { parseTop } from '../../../src/collect/top-reader.ts';

const MiB = 1024 * 1024;
const GUNICORN = [
  '/app/api/.venv/bin/python',
  '/app/api/.venv/bin/gunicorn',
  '--bind',
  '0.0.0.0:5001',
  'app:app',
];
const CELERY = [
  '/app/api/.venv/bin/python',
  '/app/api/.venv/bin/celery',
  '-A',
  'app.celery',
  'worker',
  '-P',
  'gevent',
];

describe('process labels', () => {
  it('names a plugin by its author and name, from the Python of its working directory', () => {
    const python =
      '/app/storage/cwd/langgenius/openai-0.0.26@4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c/.venv/bin/python';
    assert.equal(processLabel([python, '-m', 'main'], ['/app/main']), 'plugin langgenius/openai');
    const dashed =
      '/cwd/fengbin/dfwy-visualization-0.1.8@4e144ac43a04a4618f9100a1100530392169647a/.venv/bin/python';
    assert.equal(processLabel([dashed, '-m', 'main'], null), 'plugin fengbin/dfwy-visualization');
  });

  it('tells gunicorn’s master from its workers, and celery’s worker, beat and pool processes', () => {
    assert.equal(processLabel(GUNICORN, null), 'gunicorn master');
    assert.equal(processLabel(GUNICORN, GUNICORN), 'gunicorn worker');
    assert.equal(processLabel(['gunicorn: worker [app:app]'], null), 'gunicorn worker');
    assert.equal(processLabel(CELERY, null), 'celery worker');
    assert.equal(processLabel(CELERY, CELERY), 'celery pool worker');
    assert.equal(processLabel(['celery', '-A', 'app.celery', 'beat'], null), 'celery beat');
  });

  it('else the program, or the title a process gave itself', () => {
    assert.equal(processLabel(['awk', '-v', 'mib=10', 'BEGIN {}'], ['sh', '-c', 'x']), 'awk');
    assert.equal(processLabel(['postgres: checkpointer'], null), 'postgres: checkpointer');
    assert.equal(processLabel(['/usr/bin/python3.12', '-m', 'main'], null), 'python3.12');
  });
});

describe('reading /proc', () => {
  it('takes Name, State, PPid and VmRSS from status; a zombie or a process with SIGKILL pending is ending', () => {
    const status =
      'Name:\tawk\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t9\nPid:\t9\nPPid:\t1\nVmRSS:\t   41236 kB\n';
    assert.deepEqual(parseProcStatus(status), {
      name: 'awk',
      state: 'S',
      ppid: 1,
      rssBytes: 41236 * 1024,
      ending: false,
    });
    assert.deepEqual(parseProcStatus('Name:\tawk\nState:\tZ (zombie)\nPPid:\t1\n'), {
      name: 'awk',
      state: 'Z',
      ppid: 1,
      rssBytes: null,
      ending: true,
    });
    const killed = `${status}SigPnd:\t0000000000000000\nShdPnd:\t0000000000000100\n`;
    assert.equal(
      parseProcStatus(killed).ending,
      true,
      'SIGKILL pending: the OOM killer’s victim on its way out',
    );
  });

  it('splits cgroup.procs and NUL-separated command lines', () => {
    assert.deepEqual(parsePids('1\n42\n\nx\n'), [1, 42]);
    assert.deepEqual(parseCmdline('awk\0-v\0mib=10\0'), ['awk', '-v', 'mib=10']);
    assert.deepEqual(parseCmdline('postgres: checkpointer   \0\0'), ['postgres: checkpointer']);
  });
});

describe('the engine’s top answer', () => {
  it('finds columns by title and turns KiB into bytes', () => {
    const top = {
      Titles: ['PID', 'PPID', 'RSS', 'COMMAND'],
      Processes: [
        ['5290', '5266', '1644', 'sh -c sleep 100'],
        ['5303', '5290', '40960', 'awk -v mib=40 BEGIN'],
        ['5304', '5290', '0', '[sleep] <defunct>'],
      ],
    };
    assert.deepEqual(parseTop(top), [
      { pid: 5290, ppid: 5266, argv: ['sh', '-c', 'sleep', '100'], rssBytes: 1644 * 1024, ending: false },
      { pid: 5303, ppid: 5290, argv: ['awk', '-v', 'mib=40', 'BEGIN'], rssBytes: 40 * MiB, ending: false },
      { pid: 5304, ppid: 5290, argv: ['[sleep]', '<defunct>'], rssBytes: 0, ending: true },
    ]);
  });

  it('a table without RSS (a Windows container) gives processes without it; garbage gives none', () => {
    assert.deepEqual(parseTop({ Titles: ['Name', 'PID', 'CPU'], Processes: [['smss.exe', '4', '0:00']] }), [
      { pid: 4, ppid: null, argv: ['smss.exe'], rssBytes: null, ending: false },
    ]);
    assert.deepEqual(parseTop('not json'), []);
    assert.deepEqual(parseTop({ Titles: 'x', Processes: [] }), []);
  });
});

describe('process history', () => {
  const raw = (pid: number, mib: number, argv = ['awk'], extra: Partial<RawProcess> = {}): RawProcess => ({
    pid,
    ppid: 1,
    argv,
    rssBytes: mib * MiB,
    ending: false,
    ...extra,
  });

  it('lists the largest first with a trend once readings are far enough apart', () => {
    const h = new ProcessHistory();
    h.update('c', [raw(2, 10), raw(3, 40)], 0);
    const view = h.update('c', [raw(2, 10), raw(3, 100)], 60_000);
    assert.deepEqual(
      view.processes.map((p) => [
        p.pid,
        p.rssBytes / MiB,
        p.rssTrendBytesPerSec === null ? null : (p.rssTrendBytesPerSec * 60) / MiB,
      ]),
      [
        [3, 100, 60],
        [2, 10, 0],
      ],
    );
    assert.equal(
      h.update('d', [raw(9, 1)], 0).processes[0]?.rssTrendBytesPerSec,
      null,
      'one reading: no trend',
    );
  });

  it('a process that went away is among the exited, with its last RSS, for two readings', () => {
    const h = new ProcessHistory();
    h.update('c', [raw(2, 10), raw(3, 40)], 0);
    assert.deepEqual(
      h.update('c', [raw(2, 10)], 1000).exited.map((p) => [p.pid, p.rssBytes / MiB]),
      [[3, 40]],
    );
    assert.deepEqual(
      h.update('c', [raw(2, 10)], 2000).exited.map((p) => p.pid),
      [3],
    );
    assert.deepEqual(h.update('c', [raw(2, 10)], 3000).exited, []);
  });

  it('a zombie holds nothing and counts as exited; a pid another program reused starts afresh', () => {
    const h = new ProcessHistory();
    h.update('c', [raw(2, 10), raw(3, 40)], 0);
    const view = h.update('c', [raw(2, 10), raw(3, 0, ['awk'], { ending: true, rssBytes: null })], 1000);
    assert.deepEqual(
      view.processes.map((p) => p.pid),
      [2],
    );
    assert.deepEqual(
      view.exited.map((p) => [p.pid, p.rssBytes / MiB]),
      [[3, 40]],
    );
    const reused = h.update('c', [raw(2, 12, ['sleep'])], 2000);
    assert.equal(reused.processes[0]?.label, 'sleep');
    assert.deepEqual(
      reused.exited.map((p) => [p.pid, p.label]),
      [
        [3, 'awk'],
        [2, 'awk'],
      ],
    );
  });
});
