/**
 * The layering rules of eslint.config.js, run through ESLint's own API on code that is never
 * committed: each case lints a few lines as if they were a file at `filePath`.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';

const root = join(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

const IMPORT_RULES = ['no-restricted-imports', 'no-restricted-syntax'];

/** What the import rules say of the code, each as "rule: message". */
async function restrictions(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  assert.ok(result, `no result for ${filePath}`);
  const other = result.messages.filter((m) => m.ruleId === null || !IMPORT_RULES.includes(m.ruleId));
  assert.deepEqual(other, [], `${filePath} should trip only the import rules`);
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

/** Static imports and re-exports are no-restricted-imports' job; `import()` is no-restricted-syntax's. */
async function assertRejected(
  filePath: string,
  code: string,
  reason: RegExp,
  rule = 'no-restricted-imports',
): Promise<void> {
  const messages = await restrictions(filePath, code);
  assert.ok(
    messages.some((m) => m.startsWith(`${rule}: `) && reason.test(m)),
    `${filePath}: expected ${rule} to say ${reason}, got ${JSON.stringify(messages)}`,
  );
}

async function assertAllowed(filePath: string, code: string): Promise<void> {
  assert.deepEqual(await restrictions(filePath, code), [], filePath);
}

describe('imports run downhill', () => {
  it('rejects docker importing alerts', () =>
    assertRejected(
      'src/docker/upward.ts',
      "import { AlertEngine } from '../alerts/engine.ts';\nexport const engine = AlertEngine;\n",
      /src\/docker is below src\/alerts/,
    ));

  it('rejects a type-only import of the service from alerts', () =>
    assertRejected(
      'src/alerts/upward.ts',
      "import type { MonitorService } from '../service/monitor.ts';\nexport type Service = MonitorService;\n",
      /src\/alerts is below src\/service/,
    ));

  it('rejects an upward import from a subfolder and a re-export', async () => {
    await Promise.all([
      assertRejected(
        'src/collect/cgroup/upward.ts',
        "import type { Alert } from '../../alerts/types.ts';\nexport type A = Alert;\n",
        /src\/collect is below src\/alerts/,
      ),
      assertRejected(
        'src/history/upward.ts',
        "export { createAlertRecorder } from '../notify/recorder.ts';\n",
        /src\/history is below src\/notify/,
      ),
    ]);
  });

  it('rejects model.ts importing the API contract', () =>
    assertRejected(
      'src/model.ts',
      "import type { Snapshot } from './api.ts';\nexport type S = Snapshot;\n",
      /src\/model\.ts is below src\/api\.ts/,
    ));

  it('rejects peers on one layer importing each other', () =>
    assertRejected(
      'src/metrics/peer.ts',
      "import { toCsv } from '../export/csv.ts';\nexport const csv = toCsv;\n",
      /src\/metrics and src\/export are peers/,
    ));

  it('allows importing downhill', async () => {
    await Promise.all([
      assertAllowed(
        'src/serve/downhill.ts',
        "import { sendMetrics } from '../metrics/http.ts';\nimport { isLoopback } from '../auth/loopback.ts';\nexport const all = [sendMetrics, isLoopback];\n",
      ),
      assertAllowed(
        'src/alerts/downhill.ts',
        "import type { Sample } from '../model.ts';\nimport { writeFileAtomic } from '../util/atomic-write.ts';\nexport type S = Sample;\nexport const write = writeFileAtomic;\n",
      ),
    ]);
  });

  it('knows every folder and file of src/', async () => {
    const { LAYERS } = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as {
      LAYERS: readonly (readonly string[])[];
    };
    const entries = readdirSync(join(root, 'src')).sort();
    assert.deepEqual(entries, LAYERS.flat().sort());
  });
});

describe('nothing imports src/cli', () => {
  const cli = /Nothing imports src\/cli/;
  for (const [filePath, specifier] of [
    ['src/service/x.ts', '../cli/index.ts'],
    ['src/collect/cgroup/x.ts', '../../cli/watch.ts'],
    ['main/x.ts', '../src/cli/index.ts'],
    ['bench/x.ts', '../src/cli/table.ts'],
    ['scripts/x.ts', '../src/cli/index.ts'],
    ['test/unit/collect/x.test.ts', '../../../src/cli/hosts.ts'],
    ['test/unit/main/x.test.ts', '../../../src/cli/index.ts'],
  ] as const) {
    it(`rejects ${filePath}`, () =>
      assertRejected(filePath, `import * as cli from '${specifier}';\nexport const c = cli;\n`, cli));
  }
});

describe('the renderer and the browser-safe part of src/', () => {
  it('rejects Node in the renderer', async () => {
    await Promise.all([
      assertRejected(
        'renderer/x.ts',
        "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
        /renderer\/ runs in a page/,
      ),
      assertRejected(
        'renderer/x.ts',
        "import { EventEmitter } from 'events';\nexport const e = EventEmitter;\n",
        /renderer\/ runs in a page/,
      ),
    ]);
  });

  it('rejects the renderer importing src/ outside its browser-safe part', () =>
    assertRejected(
      'renderer/x.ts',
      "import { DockerClient } from '../src/docker/client.ts';\nexport const c = DockerClient;\n",
      /renderer\/ imports from src\/ only its browser-safe part/,
    ));

  it('rejects Node in a browser-safe file of src/', async () => {
    await Promise.all([
      assertRejected(
        'src/alerts/format.ts',
        "import { join } from 'node:path';\nexport const j = join;\n",
        /src\/alerts\/format\.ts is browser-safe/,
      ),
      assertRejected(
        'src/api.ts',
        "import { join } from 'path';\nexport const j = join;\n",
        /src\/api\.ts is browser-safe/,
      ),
    ]);
  });

  it('rejects a browser-safe file importing the rest of src/, even downhill', () =>
    assertRejected(
      'src/alerts/log.ts',
      "import { writeFileAtomic } from '../util/atomic-write.ts';\nexport const w = writeFileAtomic;\n",
      /src\/alerts\/log\.ts is browser-safe: it imports only the other browser-safe files/,
    ));

  it('allows the renderer its browser-safe part, and that part each other', async () => {
    await Promise.all([
      assertAllowed(
        'renderer/x.ts',
        "import { formatBytes } from '../src/alerts/format.ts';\nimport { HISTORY_WINDOWS } from '../src/api.ts';\nexport const all = [formatBytes, HISTORY_WINDOWS];\n",
      ),
      assertAllowed(
        'src/alerts/limit.ts',
        "import type { Sample } from '../model.ts';\nimport { formatBytes } from './format.ts';\nexport type S = Sample;\nexport const f = formatBytes;\n",
      ),
    ]);
  });

  it('rejects electron outside main/', () =>
    assertRejected(
      'src/notify/x.ts',
      "import { Notification } from 'electron';\nexport const n = Notification;\n",
      /Only main\/ may import electron/,
    ));
});

describe('import() follows the same rules', () => {
  it('rejects an upward import()', () =>
    assertRejected(
      'src/docker/lazy.ts',
      "export const load = () => import('../alerts/engine.ts');\n",
      /import\(\): src\/docker is below src\/alerts/,
      'no-restricted-syntax',
    ));

  it('rejects import() of src/cli and of Node in the renderer', async () => {
    await Promise.all([
      assertRejected(
        'test/unit/collect/lazy.test.ts',
        "export const load = () => import('../../../src/cli/index.ts');\n",
        /import\(\): Nothing imports src\/cli/,
        'no-restricted-syntax',
      ),
      assertRejected(
        'renderer/lazy.ts',
        "export const load = () => import('node:fs');\n",
        /import\(\): renderer\/ runs in a page/,
        'no-restricted-syntax',
      ),
    ]);
  });

  it('allows a downhill import()', () =>
    assertAllowed('src/service/lazy.ts', "export const load = () => import('../collect/connect.ts');\n"));
});
