import { writeFileAtomic } from '../../src/util/atomic-write.ts';

/*
 * Saves settings as fast as it can until killed: every save is the previous one with
 * `alerts.cooldownMs` one higher, and its number is printed once the save returned.
 * Usage: node save-loop.ts <file> <first number>. Spawned by settings-durability.test.ts.
 */
const [path = '', first = '1'] = process.argv.slice(2);
const base = JSON.parse(process.env['DM_SETTINGS_JSON'] ?? '{}') as { alerts: Record<string, unknown> };
process.stdout.write('ready\n');
for (let n = Number(first); ; n++) {
  writeFileAtomic(
    path,
    `${JSON.stringify({ ...base, alerts: { ...base.alerts, cooldownMs: n } }, null, 2)}\n`,
  );
  process.stdout.write(`${n}\n`);
}
