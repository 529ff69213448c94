// Crash safety, for real: `byok keys generate --count 200` is killed with SIGKILL at seeded random
// moments (50 kills), against the real Secret Service and real files. Afterwards the vault opens, the
// audit chain verifies, every key the command printed (= reported done) has its record and a verified
// backup, and nothing half-written is treated as a key.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYOK_BIN, REPO_ROOT, runByok, tempDir, usePrivateKeyring } from '../../support/byok-cli.ts';
import { seededRandom } from '../../support/seeded-random.ts';

// This file writes many keychain items: it gets a Secret Service of its own.
const keyring = usePrivateKeyring();


const SEED = 20261125;
const KILLS = 50;
const work = tempDir('crash');
const vault = join(work.path, 'vault');

afterAll(() => work.remove());

/** Starts a generation and kills it after `delayMs`; returns the key ids it printed before dying. */
function generateAndKill(run: number, delayMs: number): Promise<{ printed: string[]; killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BYOK_BIN, '--vault', vault, 'keys', 'generate', '--spec', 'AES_256', '--alias', `crash-${run < 0 ? 'full' : run}`, '--count', '200', '--batch-size', '10'], { cwd: REPO_ROOT, env: { ...process.env, ...keyring.env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.kill('SIGKILL');
    }, delayMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Only whole lines count: a line is printed after its batch is saved.
      const printed = stdout
        .split('\n')
        .filter((line) => /^[0-9a-f-]{36}\s/.test(line))
        .map((line) => line.split(/\s+/)[0]!);
      resolve({ printed, killed, code });
    });
  });
}

describe('generation survives SIGKILL at any moment', () => {
  it(`keeps every reported key across ${KILLS} seeded kills (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    // One run to the end first: its duration sets the range of kill moments on this machine, so the
    // kills land across a run's whole life (starting, generating, backing up, saving) on any machine.
    const startedAt = performance.now();
    const full = await generateAndKill(-1, 600_000);
    let lifetime = performance.now() - startedAt;
    expect(full.code).toBe(0);
    expect(full.printed).toHaveLength(200);
    const reported: string[] = [...full.printed];
    // Under load the first run can take much longer than later ones, so a kill could come after a run
    // ended: such a run does not count as a kill, and the range shrinks to the shortest run seen.
    let killedMidRun = 0;
    let runs = 0;
    while (killedMidRun < KILLS && runs < 2 * KILLS) {
      const delay = Math.floor(random() * lifetime * 0.9);
      const runStarted = performance.now();
      const result = await generateAndKill(runs++, delay);
      reported.push(...result.printed);
      if (result.killed) {
        killedMidRun++;
        continue;
      }
      // Not killed: it must have finished properly, not failed early.
      expect(result.code, `run ${runs} ended before its kill without finishing`).toBe(0);
      expect(result.printed).toHaveLength(200);
      lifetime = Math.min(lifetime, performance.now() - runStarted);
    }
    expect(killedMidRun).toBe(KILLS);
    expect(reported.length).toBeGreaterThan(0);

    // The vault opens (the stale lock of the last killed process is recovered) and the chain holds.
    const audit = await runByok(['--json', 'audit', 'verify'], { vault });
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.json.valid).toBe(true);

    const list = await runByok(['--json', 'keys', 'list'], { vault });
    expect(list.code, list.stderr).toBe(0);
    const recorded = new Set<string>(list.json.keys.map((key: { id: string }) => key.id));
    for (const id of reported) expect(recorded.has(id), `reported key ${id} has a record`).toBe(true);

    // Every recorded key (reported or not) has a verified backup: no record exists without one.
    const verify = await runByok(['--json', 'backup', 'verify', '--all'], { vault });
    expect(verify.json.failed, verify.stderr).toEqual([]);
    expect(verify.json.verified).toBe(recorded.size);

    // Backups of batches killed before their record was saved are reported, not listed as keys.
    const info = await runByok(['--json', 'vault', 'info'], { vault });
    expect(info.code, info.stderr).toBe(0);
    for (const orphan of info.json.reconciliation.backupsWithoutRecord) expect(recorded.has(orphan)).toBe(false);
    expect(info.json.reconciliation.recordsWithoutBackup).toEqual([]);

    // `keys list` names the same orphans as warnings, and restoring one gives it a record.
    const orphans: string[] = info.json.reconciliation.backupsWithoutRecord;
    if (orphans.length > 0) {
      const listed = await runByok(['keys', 'list'], { vault });
      expect(listed.stderr).toContain(`byok backup restore --key ${orphans[0]}`);
      const restore = await runByok(['--json', 'backup', 'restore', '--key', orphans[0]!], { vault });
      expect(restore.code, restore.stderr).toBe(0);
      expect(restore.json.restoredRecord).toBe(true);
      const after = await runByok(['--json', 'keys', 'list'], { vault });
      expect(after.json.keys.map((key: { id: string }) => key.id)).toContain(orphans[0]);
    }
  }, 600_000);
});
