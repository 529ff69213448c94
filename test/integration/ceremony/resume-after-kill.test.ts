// The real `byok` CLI, SIGKILLed as soon as its state file shows a step boundary passed, then resumed:
// no key reported done is regenerated, and the outputs end up complete.
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CeremonyState } from '../../../main/core/ceremony-run/index.ts';
import { BYOK_BIN, REPO_ROOT, runByok, tempDir } from '../../support/byok-cli.ts';
import { createCeremonyFixture, fixturePlan, openVault } from './ceremony-fixture.ts';

const workspace = tempDir('ceremony-kill');
afterAll(() => workspace.remove());

// Three keys (two AES for AWS, one EC for Huawei) keep each run short.
function smallPlan(): Record<string, unknown> {
  const plan = fixturePlan('none');
  plan.keys = (plan.keys as Array<Record<string, unknown>>).filter((entry) => entry.alias !== 'ledger');
  return plan;
}

async function readState(vaultDir: string): Promise<CeremonyState | null> {
  try {
    const names = (await readdir(join(vaultDir, 'ceremonies'))).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
    if (names.length === 0) return null;
    return JSON.parse(await readFile(join(vaultDir, 'ceremonies', names[0]!), 'utf8')) as CeremonyState;
  } catch {
    return null; // not written yet, or between temp and rename
  }
}

/** Runs the ceremony and SIGKILLs it once `boundary` is in the state's completed steps. */
function runAndKillAfter(args: string[], vaultDir: string, boundary: string): Promise<{ killed: boolean; stateAtKill: CeremonyState | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BYOK_BIN, '--vault', vaultDir, '--json', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'ignore'] });
    let stateAtKill: CeremonyState | null = null;
    let killed = false;
    const poll = setInterval(async () => {
      const state = await readState(vaultDir);
      if (!killed && state?.completed.includes(boundary)) {
        killed = child.kill('SIGKILL');
        stateAtKill = state;
      }
    }, 2);
    child.on('error', reject);
    child.on('exit', async (_, signal) => {
      clearInterval(poll);
      // The state on disk after the kill is what the resume sees (it may have one more step than we polled).
      resolve({ killed: signal === 'SIGKILL', stateAtKill: killed ? ((await readState(vaultDir)) ?? stateAtKill) : null });
    });
  });
}

// One boundary after each kind of step (generate:0 also cuts between two generation groups).
const BOUNDARIES = ['plan-check', 'generate:0', 'confirm:dek-2', 'backup-verify:sign', 'shares:dek-1', 'escrow', 'wrap:dek-1'];

describe('byok ceremony resume after SIGKILL', () => {
  it.each(BOUNDARIES)('resumes after a kill once %s is done, regenerating no reported key', async (boundary) => {
    const fixture = await createCeremonyFixture(join(workspace.path, boundary.replace(':', '-')), { plan: smallPlan() });
    const runArgs = ['ceremony', 'run', '--plan', fixture.planPath, '--allow-online', '--escrow-passphrase-file', fixture.passphraseFile];
    const { killed, stateAtKill } = await runAndKillAfter(runArgs, fixture.vaultDir, boundary);
    expect(killed, `the run finished before it could be killed after ${boundary}`).toBe(true);
    expect(stateAtKill!.finishedAt).toBeNull();
    const reportedBefore = stateAtKill!.keys.map((key) => key.keyId);

    const resumed = await runByok(['--json', 'ceremony', 'resume', '--allow-online', '--escrow-passphrase-file', fixture.passphraseFile], { vault: fixture.vaultDir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json.status).toBe('completed');
    const finalIds = resumed.json.keys.map((key: { id: string }) => key.id);
    expect(finalIds).toHaveLength(3);
    expect(finalIds.slice(0, reportedBefore.length)).toEqual(reportedBefore);
    expect(resumed.json.keys.every((key: { files: unknown[]; backupVerified: boolean }) => key.files.length >= 2 && key.backupVerified)).toBe(true);
    expect((await readdir(join(fixture.folder, 'out'))).sort()).toEqual(['dek-1', 'dek-2', 'shares', 'sign']);

    // The vault holds the ceremony's keys plus only those an interrupted generation saved unreported.
    const service = await openVault(fixture.vaultDir);
    try {
      const { keys } = await service.listKeys();
      expect(keys).toHaveLength(3 + resumed.json.orphanedKeys.length);
      for (const id of finalIds) expect(keys.map((key) => key.id)).toContain(id);
      expect((await service.auditVerify()).valid).toBe(true);
    } finally {
      await service.close();
    }
  });

  it('refuses to resume when the plan changed since the run started', async () => {
    const fixture = await createCeremonyFixture(join(workspace.path, 'changed-plan'), { plan: smallPlan() });
    const { killed } = await runAndKillAfter(['ceremony', 'run', '--plan', fixture.planPath, '--allow-online', '--escrow-passphrase-file', fixture.passphraseFile], fixture.vaultDir, 'generate:0');
    expect(killed).toBe(true);
    const { appendFile } = await import('node:fs/promises');
    await appendFile(fixture.planPath, '# a late edit\n');
    const resumed = await runByok(['--json', 'ceremony', 'resume', '--allow-online'], { vault: fixture.vaultDir });
    expect(resumed.code).toBe(3);
    expect(resumed.json.error.code).toBe('CEREMONY_STATE_INVALID');
    expect(resumed.json.error.message).toContain('changed since ceremony');
  });
});
