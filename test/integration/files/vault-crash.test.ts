// Fault injection with real processes and real files: a child node process generates-and-saves in a loop
// (vault row + audit event, then save) and prints each id only after save() resolved. We SIGKILL it at
// seeded random moments — during open, mid-journal-append, mid-compaction — then reopen and check that
// every printed id is there, the audit chain verifies, and every saved key has its audit event.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../main/core/clock.ts';
import { Vault } from '../../../main/core/vault/index.ts';
import { AuditLog } from '../../../main/core/audit/index.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const KILLS = 15;
const SEED = 0x5eed_0003;
const root = resolve(import.meta.dirname, '../../..');
const moduleUrl = (path: string) => pathToFileURL(join(root, path)).href;

const childScript = `
const { Vault } = await import(${JSON.stringify(moduleUrl('main/core/vault/index.ts'))});
const { AuditLog } = await import(${JSON.stringify(moduleUrl('main/core/audit/index.ts'))});
const { FixedClock } = await import(${JSON.stringify(moduleUrl('main/core/clock.ts'))});
const [dir, round] = process.argv.slice(1);
const clock = new FixedClock('2026-03-01T09:00:00Z');
const vault = await Vault.open(dir, { clock, create: true, journalLimitBytes: 4096 });
const audit = await AuditLog.open(dir, { clock });
const padding = 'e'.repeat(1500);
for (let i = 0; ; i++) {
  const id = 'r' + round + '-k' + i;
  vault.keys.insert({ id, alias: null, description: null, spec: 'AES_256', check: { kind: 'kcv', value: 'ABCDEF' }, createdAt: '2026-03-01T09:00:00Z',
    status: 'active', backupRef: null, entropyEvidence: { source: 'os-csprng', note: padding }, operator: 'alice', batchId: 'round-' + round });
  await audit.append({ type: 'key.generated', operator: 'alice', data: { keyId: id, spec: 'AES_256', check: { kind: 'kcv', value: 'ABCDEF' } } });
  await vault.save();
  process.stdout.write(id + '\\n');
}
`;

/**
 * When to kill: `afterMs` after spawn (may land while the vault opens or is being created), or once
 * `afterLines` ids were reported plus `extraMs` (lands mid-save or mid-compaction whatever the machine's load).
 */
type KillPlan = { afterMs: number } | { afterLines: number; extraMs: number };

function runAndKill(dir: string, round: number, plan: KillPlan): Promise<string[]> {
  return new Promise((resolvePrinted, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', childScript, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = () => child.kill('SIGKILL');
    if ('afterMs' in plan) timer = setTimeout(kill, plan.afterMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if ('afterLines' in plan && !timer && stdout.split('\n').length - 1 >= plan.afterLines) timer = setTimeout(kill, plan.extraMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child ended by itself (code ${code}): ${stderr}`));
      resolvePrinted(stdout.split('\n').slice(0, -1)); // only complete lines were reported saved
    });
  });
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('vault crash safety (SIGKILL, real processes and files)', () => {
  it(`keeps every save that was reported, across ${KILLS} kills at seeded random moments`, { timeout: 120_000 }, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'byok-crash-')), 'vault');
    folders.push(dir);
    const random = seededRandom(SEED);
    const clock = new FixedClock('2026-03-01T09:00:00Z');
    const reported = new Set<string>();
    let recoveredLocks = 0;
    for (let round = 0; round < KILLS; round++) {
      const plan: KillPlan = round % 3 === 0 ? { afterMs: 50 + Math.floor(random() * 600) } : { afterLines: 1 + Math.floor(random() * 40), extraMs: Math.floor(random() * 15) };
      const printed = await runAndKill(dir, round, plan);
      for (const id of printed) reported.add(id);

      const vault = await Vault.open(dir, { clock, create: round === 0 && printed.length === 0 });
      if (vault.openReport.staleLockRecovered) recoveredLocks += 1;
      const missing = [...reported].filter((id) => !vault.keys.get(id));
      expect(missing, `round ${round}: saved ids lost`).toEqual([]);

      const audit = await AuditLog.open(dir, { clock });
      const verification = await audit.verify();
      expect(verification.valid, `round ${round}: ${verification.problem?.reason}`).toBe(true);
      const audited = new Set(audit.list({ type: 'key.generated' }).map((event) => String(event.data.keyId)));
      const unaudited = vault.keys.list().filter((key) => !audited.has(key.id));
      expect(unaudited.map((key) => key.id), `round ${round}: keys without their audit event`).toEqual([]);
      await audit.close();
      await vault.close();
    }
    expect(reported.size).toBeGreaterThan(KILLS); // the kills landed while work was being reported
    expect(recoveredLocks).toBeGreaterThan(KILLS / 2); // most kills left a lock that had to be recovered
  });
});
