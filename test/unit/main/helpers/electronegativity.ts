/**
 * Runs Electronegativity over a folder and prints its findings as one JSON line. A separate
 * process because the scanner tries the network (translations, Electron's release list) and,
 * offline, a retry timer of its HTTP client throws after the scan is done.
 *
 *   node test/unit/main/helpers/electronegativity.ts <dir> <electron-version>
 */
import { createRequire } from 'node:module';

interface Finding {
  readonly id: string;
  readonly file: string;
  readonly location: { readonly line: number };
  readonly description: string;
  readonly severity: { readonly name: string };
  readonly manualReview: boolean;
}
type Run = (
  options: Record<string, unknown>,
  forCli: boolean,
) => Promise<{ issues: Finding[]; errors: unknown[] }>;

const run = createRequire(import.meta.url)('@doyensec/electronegativity') as Run;
const [dir, version] = process.argv.slice(2);
const result = await run(
  {
    input: dir,
    isRelative: true,
    electronVersionOverride: version,
    customScan: [],
    // Whether a newer Electron exists is a question for the network and the day, not for this code.
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
  },
  false,
);
const issues = result.issues.map((i) => ({
  id: i.id,
  file: i.file,
  line: i.location.line,
  description: i.description,
  severity: i.severity.name,
  manualReview: i.manualReview,
}));
process.stdout.write(`\nELECTRONEGATIVITY ${JSON.stringify({ issues, errors: result.errors })}\n`);
process.exit(0);
