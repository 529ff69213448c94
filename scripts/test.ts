// `npm test`: every suite (unit, integration against the real Secret Service / openssl / KMS simulator,
// end-to-end in Debian's Chromium), with a Secret Service provided when none is reachable.
import { spawnSync } from 'node:child_process';

const extra = process.argv.slice(2);
const steps: Array<{ name: string; command: string[] }> = [
  { name: 'typecheck', command: ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'tests', command: ['node', 'scripts/with-keychain.ts', '--private', 'npx', 'vitest', 'run', ...extra] },
];

for (const step of steps) {
  console.log(`\n== ${step.name}: ${step.command.join(' ')}`);
  const result = spawnSync(step.command[0]!, step.command.slice(1), { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n${step.name} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}
