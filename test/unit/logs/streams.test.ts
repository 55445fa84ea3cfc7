import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDemuxer, type StreamName } from '../../../src/logs/frames.ts';
import { createLogLineSplitter } from '../../../src/logs/log-lines.ts';
import { splitTimestamp } from '../../../src/logs/log-watch.ts';

function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('the engine’s multiplexed log stream', () => {
  it('is taken apart into stdout and stderr, whatever the chunks cut, header or payload', () => {
    const wire = Buffer.concat([frame(1, 'out one\n'), frame(2, 'err one\n'), frame(1, 'out two\n')]);
    for (let cut = 1; cut < wire.length; cut++) {
      const got: Record<StreamName, string> = { stdout: '', stderr: '' };
      const demux = createDemuxer((stream, bytes) => (got[stream] += bytes.toString()));
      demux(wire.subarray(0, cut));
      demux(wire.subarray(cut));
      assert.deepEqual(got, { stdout: 'out one\nout two\n', stderr: 'err one\n' }, `cut at ${cut}`);
    }
  });
});

describe('bounded log lines', () => {
  const split = (max: number, chunks: (string | Buffer)[]): string[] => {
    const lines: string[] = [];
    const feed = createLogLineSplitter(max, (line) => lines.push(line.toString()));
    for (const c of chunks) feed(typeof c === 'string' ? Buffer.from(c) : c);
    return lines;
  };

  it('splits on newlines across chunks and skips empty lines', () => {
    assert.deepEqual(split(100, ['ab', 'c\n\nde', 'f\ng']), ['abc', 'def']);
  });

  it('a line longer than the bound keeps its start; the rest up to its newline is skipped', () => {
    assert.deepEqual(split(4, ['abcdefgh\nxy\n']), ['abcd', 'xy']);
    assert.deepEqual(split(4, ['ab', 'cdef', 'gh', 'ij\nok\n']), ['abcd', 'ok']);
  });

  it('a 100 MB line in 64 KiB chunks costs the bound, not the line', () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const lines: number[] = [];
    const feed = createLogLineSplitter(16 * 1024, (line) => lines.push(line.length));
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < (100 * 1024 * 1024) / chunk.length; i++) feed(chunk);
    feed(Buffer.from('\nafter\n'));
    assert.deepEqual(lines, [16 * 1024, 5]);
    assert.ok(process.memoryUsage().arrayBuffers - before < 8 * 1024 * 1024);
  });

  it('invalid UTF-8 decodes with replacement characters, and the line is still a line', () => {
    const lines = split(100, [Buffer.from([0xff, 0xfe, 0x41, 0x0a])]);
    assert.deepEqual(lines, ['\ufffd\ufffdA']);
  });
});

describe('the engine’s timestamp on each line', () => {
  it('is the line’s time; a line without one gets the time it came', () => {
    assert.deepEqual(splitTimestamp('2024-05-20T10:15:42.123456789Z [1] [INFO] Booting', 7), {
      ts: Date.UTC(2024, 4, 20, 10, 15, 42, 123),
      line: '[1] [INFO] Booting',
    });
    assert.deepEqual(splitTimestamp('no time here', 7), { ts: 7, line: 'no time here' });
  });
});
