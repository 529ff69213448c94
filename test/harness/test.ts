// `npm test`: every suite (unit, integration against the real Secret Service / openssl / KMS simulator,
// end-to-end in Debian's Chromium), with a private Secret Service, never the developer's own keychain.
// Ends with one plain line "tests: N passed, N failed" so any CI can read the outcome.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const extra = process.argv.slice(2);
const summaryFile = 'test-results/vitest-summary.json';
rmSync(summaryFile, { force: true });
const steps: Array<{ name: string; command: string[] }> = [
  { name: 'typecheck', command: ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit'] },
  {
    name: 'tests',
    command: ['node', 'test/harness/with-keychain.ts', '--private', 'npx', 'vitest', 'run', '--config', 'test/vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${summaryFile}`, ...extra],
  },
];

let failedStep: { name: string; status: number } | undefined;
for (const step of steps) {
  console.log(`\n== ${step.name}: ${step.command.join(' ')}`);
  const result = spawnSync(step.command[0]!, step.command.slice(1), { stdio: 'inherit' });
  if (result.status !== 0) {
    failedStep = { name: step.name, status: result.status ?? 1 };
    break;
  }
}

if (existsSync(summaryFile)) {
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  const skipped = summary.numPendingTests + summary.numTodoTests;
  console.log(`\ntests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
}
if (failedStep) {
  console.error(`\n${failedStep.name} failed (exit ${failedStep.status}).`);
  process.exit(failedStep.status);
}
