import Conf from 'conf';
import { openDesktopSettings } from '../../main/settings-store.ts';
import type { Settings } from '../../src/settings/schema.ts';
import { writeFileAtomic } from '../../src/util/atomic-write.ts';

/*
 * Saves settings as fast as it can until killed: every save is the previous one with
 * `alerts.cooldownMs` one higher, and its number is printed once the save returned.
 * `core` writes as serve and the CLI do (src/util/atomic-write.ts); `desktop` as the tray app
 * does, through main/settings-store.ts and conf, which electron-store is.
 * Usage: node save-loop.ts <file> <first number> <core|desktop>. Spawned by settings-durability.test.ts.
 */
const [path = '', first = '1', mode = 'core'] = process.argv.slice(2);
const base = JSON.parse(process.env['DM_SETTINGS_JSON'] ?? '{}') as Settings;
const withCooldown = (n: number): Settings => ({ ...base, alerts: { ...base.alerts, cooldownMs: n } });

const save: (settings: Settings) => void =
  mode === 'desktop'
    ? (() => {
        const opened = openDesktopSettings({
          dir: path.slice(0, path.lastIndexOf('/')),
          createStore: (options) => new Conf(options),
          now: Date.now,
          tell: (notice) => process.stderr.write(`${notice}\n`),
        });
        return (settings) => opened.store.set(settings);
      })()
    : (settings) => writeFileAtomic(path, `${JSON.stringify(settings, null, 2)}\n`);

process.stdout.write('ready\n');
for (let n = Number(first); ; n++) {
  save(withCooldown(n));
  process.stdout.write(`${n}\n`);
}
