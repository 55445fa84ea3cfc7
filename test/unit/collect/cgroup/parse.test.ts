import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseBlkioV1,
  parseFlatKeyed,
  parseIoStatV2,
  parseNetDev,
  parseSingle,
  parseSystemCpuNs,
} from '../../../../src/collect/cgroup/parse.ts';

/** memory.stat of a cgroup v1 container, as this engine's kernel writes it. */
const V1_MEMORY_STAT = [
  'cache 819200',
  'rss 21639168',
  'rss_huge 0',
  'shmem 0',
  'mapped_file 0',
  'active_anon 21626880',
  'inactive_anon 0',
  'active_file 409600',
  'inactive_file 409600',
  'hierarchical_memory_limit 9223372036854771712',
  'total_cache 819200',
  'total_rss 21639168',
  'total_active_file 409600',
  'total_inactive_file 413696',
  '',
].join('\n');

/** memory.stat of a cgroup v2 container (systemd driver, kernel 6.x), trimmed. */
const V2_MEMORY_STAT = [
  'anon 21630976',
  'file 1220608',
  'kernel 204800',
  'shmem 0',
  'file_mapped 0',
  'inactive_anon 21626880',
  'active_anon 4096',
  'inactive_file 811008',
  'active_file 409600',
  'unevictable 0',
  'pgfault 5467',
  '',
].join('\n');

const V2_CPU_STAT = [
  'usage_usec 8334561',
  'user_usec 6543210',
  'system_usec 1791351',
  'nr_periods 0',
  'nr_throttled 0',
  'throttled_usec 0',
  '',
].join('\n');

const V1_BLKIO = [
  '8:0 Read 4096',
  '8:0 Write 8192',
  '8:0 Sync 12288',
  '8:0 Async 0',
  '8:0 Discard 0',
  '8:0 Total 12288',
  '8:16 Read 100',
  '8:16 Write 1',
  'Total 12389',
  '',
].join('\n');

const V2_IO_STAT =
  '253:0 rbytes=45178880 wbytes=1200000 rios=391 wios=20 dbytes=0 dios=0\n8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n';

const NET_HEADER =
  'Inter-|   Receive                                                |  Transmit\n' +
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
const netLine = (name: string, rx: number, tx: number): string =>
  `${name.padStart(6)}: ${rx} 10 0 0 0 0 0 0 ${tx} 10 0 0 0 0 0 0\n`;
const NET_DEV =
  NET_HEADER + netLine('lo', 1000, 1000) + netLine('eth0', 96802652, 16597749) + netLine('eth1', 10, 20);

const PROC_STAT =
  'cpu  290169 688 91130 5295259 3374 0 1421 90929 0 0\ncpu0 145000 300 45000 2600000 1700 0 700 45000 0 0\nintr 1 2 3\n';

describe('cgroup file parsers', () => {
  it('single values: cpuacct.usage, memory.usage_in_bytes, pids.current, v2 `max`', () => {
    assert.equal(parseSingle('83345610234\n'), 83345610234);
    assert.equal(parseSingle('2469888\n'), 2469888);
    assert.equal(parseSingle('3\n'), 3);
    assert.equal(parseSingle('max\n'), Number.POSITIVE_INFINITY);
    assert.equal(parseSingle('9223372036854771712\n'), 9223372036854771712, 'v1 "no limit"');
    for (const bad of ['', '\n', '12ab', '-5', 'NaN', '1e3', '0x10', '999999999999999999999999'])
      assert.equal(parseSingle(bad), null, bad);
  });

  it('memory.stat v1 and v2: every numeric key, nothing else', () => {
    const v1 = parseFlatKeyed(V1_MEMORY_STAT);
    assert.equal(v1.get('total_inactive_file'), 413696);
    assert.equal(v1.get('hierarchical_memory_limit'), 9223372036854771712);
    assert.equal(v1.size, 14);
    const v2 = parseFlatKeyed(V2_MEMORY_STAT);
    assert.equal(v2.get('inactive_file'), 811008);
    assert.equal(v2.has('total_inactive_file'), false);
    const broken = parseFlatKeyed('rss 1650688\nbroken\nhalf 12x\nthree 1 2\n 5\n');
    assert.deepEqual([...broken], [['rss', 1650688]]);
  });

  it('cpu.stat v2: usage_usec', () => {
    assert.equal(parseFlatKeyed(V2_CPU_STAT).get('usage_usec'), 8334561);
  });

  it('v1 blkio sums Read and Write over devices in any case, and skips Sync, Total', () => {
    assert.deepEqual(parseBlkioV1(V1_BLKIO), { read: 4196, write: 8193 });
    assert.deepEqual(parseBlkioV1('8:0 read 5\n8:0 WRITE 7\nTotal 12\n'), { read: 5, write: 7 });
    assert.deepEqual(parseBlkioV1('Total 0\n'), { read: 0, write: 0 }, 'no I/O yet: zero, as the API says');
    assert.equal(parseBlkioV1('garbage'), null);
    assert.equal(parseBlkioV1(''), null);
  });

  it('v2 io.stat sums rbytes and wbytes, ignoring op counts', () => {
    assert.deepEqual(parseIoStatV2(V2_IO_STAT), { read: 45178881, write: 1200002 });
    assert.deepEqual(parseIoStatV2(''), { read: 0, write: 0 });
  });

  it('net/dev sums every interface but loopback and the per-namespace tunnel devices', () => {
    assert.deepEqual(parseNetDev(NET_DEV), { rx: 96802662, tx: 16597769 });
    assert.equal(parseNetDev(NET_HEADER + netLine('lo', 1000, 1000)), null, '--network none');
    assert.equal(
      parseNetDev(NET_HEADER + netLine('lo', 5, 5) + netLine('tunl0', 0, 0) + netLine('sit0', 0, 0)),
      null,
      '--network none on a host with ipip/sit loaded',
    );
    assert.equal(parseNetDev(`${NET_HEADER}  eth0: trunc`), null);
  });

  it('/proc/stat: the first seven cpu fields in ns, as dockerd sums them', () => {
    assert.equal(parseSystemCpuNs(PROC_STAT), (290169 + 688 + 91130 + 5295259 + 3374 + 0 + 1421) * 1e7);
    assert.equal(parseSystemCpuNs('cpu  1 2\n'), null);
    assert.equal(parseSystemCpuNs('intr 1 2 3 4 5 6 7 8\n'), null);
    assert.equal(parseSystemCpuNs('cpu0 1 2 3 4 5 6 7 8\n'), null);
  });

  it('torn or garbled content of any file gives numbers or null, never NaN', () => {
    const values = (text: string): unknown[] => [
      parseSingle(text),
      ...parseFlatKeyed(text).values(),
      parseBlkioV1(text)?.read,
      parseBlkioV1(text)?.write,
      parseIoStatV2(text).read,
      parseIoStatV2(text).write,
      parseNetDev(text)?.rx,
      parseNetDev(text)?.tx,
      parseSystemCpuNs(text),
    ];
    const files = [V1_MEMORY_STAT, V2_MEMORY_STAT, V2_CPU_STAT, V1_BLKIO, V2_IO_STAT, NET_DEV, PROC_STAT];
    const garbled = files.flatMap((text) => [
      text.replace(/\d/g, 'x'),
      text.replace(/ /g, '\t'),
      text.replace(/\d+/g, '-1'),
      text.replace(/=/g, '=='),
      '\0'.repeat(64),
      'max',
    ]);
    for (const text of [...files, ...garbled]) {
      for (let end = 0; end <= text.length; end++) {
        for (const value of values(text.slice(0, end))) {
          assert.ok(
            value === null ||
              value === undefined ||
              (typeof value === 'number' && Number.isFinite(value)) ||
              value === Infinity,
            `${JSON.stringify(text.slice(0, end))} gave ${String(value)}`,
          );
        }
      }
    }
  });
});
