import { openDatabase } from '../../src/history/database.ts';
import { DiskHistory } from '../../src/history/disk.ts';
import { HistoryStore } from '../../src/history/store.ts';
import { makeSample } from '../helpers/samples.ts';

/*
 * Writes history as the monitor does until killed: rounds of CONTAINERS samples one second
 * apart, BATCH rounds to a batch, each batch one DiskHistory.flush. It carries on from the last
 * round the file holds, and prints each batch's last round once flush returned.
 * Usage: node history-writer.ts <file> <t0 ms>. Spawned by history-durability.test.ts.
 */
export const CONTAINERS = 15;
export const BATCH = 10;
const [path = '', t0 = '0'] = process.argv.slice(2);

if (process.argv[1]?.endsWith('history-writer.ts') === true) {
  const opened = openDatabase(path);
  if (opened.kind !== 'open') throw new Error(opened.reason);
  if (opened.notice !== null) process.stdout.write(`notice ${opened.notice.reason}\n`);
  const store = new HistoryStore();
  const disk = new DiskHistory({ db: opened.db, path, store, days: 7, maxBytes: 256 * 1024 * 1024 });
  const last = opened.db.prepare('SELECT max(ts) AS ts FROM history_raw').get() as { ts: number | null };
  let round = last.ts === null ? 0 : (last.ts - Number(t0)) / 1000 + 1;
  disk.load(Number(t0) + round * 1000);
  process.stdout.write('ready\n');
  for (;;) {
    const ts = Number(t0) + round * 1000;
    for (let c = 0; c < CONTAINERS; c++) {
      const sample = makeSample({ ts, key: `local/docker/svc${c}/1`, memUsageBytes: round, cpuPercent: c });
      if (store.add(sample)) disk.note(sample);
    }
    if (round % BATCH === BATCH - 1) {
      if (!disk.flush(ts)) throw new Error(disk.problem ?? 'flush failed');
      process.stdout.write(`${round}\n`);
    }
    round++;
  }
}
