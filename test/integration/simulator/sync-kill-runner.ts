// Child process for sync-kill.test.ts: opens the vault the way the CLI does (real files, the OS
// keychain) and runs `sync` until nothing is pending, printing "syncing" first so the test can kill it
// at a seeded moment after it started working.
import { osKeychain } from '../../../main/core/backup/index.ts';
import { systemClock } from '../../../main/core/clock.ts';
import { openCore } from './sync-support.ts';

const [vaultDir, keychainService] = process.argv.slice(2);
const service = await openCore(vaultDir!, systemClock, osKeychain(keychainService!), { engine: { backoff: { baseMs: 50, capMs: 1000 } } });
process.stdout.write('syncing\n');
let pending = -1;
for (let round = 0; round < 10 && pending !== 0; round++) {
  const reply = await service.sync({});
  pending = reply.pendingJobs + reply.failedJobs.length;
  process.stdout.write(`${JSON.stringify({ imported: reply.imported, pendingJobs: reply.pendingJobs, failedJobs: reply.failedJobs })}\n`);
}
await service.close();
