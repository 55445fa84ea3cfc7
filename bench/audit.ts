import { spawnSync } from 'node:child_process';

/*
 * `npm audit --omit=dev` against the registry: what ships must have no high or critical advisory.
 * Needs the network, so it is a script (`npm run audit:prod`), not part of `npm test`.
 * Exit 0 when clean, 1 on a high or critical finding, 2 when the registry could not be asked.
 */
const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 120_000 });
let report: { metadata?: { vulnerabilities?: Record<string, number>; dependencies?: { prod?: number } } };
try {
  report = JSON.parse(run.stdout) as typeof report;
} catch {
  process.stderr.write(
    `npm audit gave no report (${run.error?.message ?? run.stderr.trim().slice(0, 300)})\n`,
  );
  process.exit(2);
}
const counts = report.metadata?.vulnerabilities;
if (counts === undefined) {
  process.stderr.write(`npm audit could not ask the registry: ${run.stdout.slice(0, 300)}\n`);
  process.exit(2);
}
const summary = Object.entries(counts)
  .map(([level, n]) => `${level} ${n}`)
  .join(', ');
process.stdout.write(
  `npm audit --omit=dev: ${report.metadata?.dependencies?.prod ?? '?'} production dependencies; ${summary}\n`,
);
process.exit((counts['high'] ?? 0) + (counts['critical'] ?? 0) > 0 ? 1 : 0);
