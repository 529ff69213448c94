// A ceremony cut off after the core wrote and recorded a step's outputs (files written, audit event
// appended, vault saved) but before the runner marked the step done: the resume adopts those outputs as
// they are — same bytes, no second bundle row, no new split — and moves aside (never deletes) files no
// record mentions. Real core (vault, audit log, wrap, shares, escrow) with an in-memory keychain.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CeremonyService, CeremonyStepRecord } from '../../../shared/ceremony-api.ts';
import { memoryKeychain, type Keychain } from '../../../main/core/backup/index.ts';
import { createCeremonyService, openCoreContext } from '../../../main/core/ceremony.ts';
import { FixedClock } from '../../../main/core/clock.ts';
import { writeParamsFile } from '../../fixtures/plans/make-params.ts';
import { loadState, runCeremony, type RunCeremonyOptions } from '../../../main/core/ceremony-run/index.ts';
import { tempDir } from '../../support/byok-cli.ts';
import { createCeremonyFixture, ESCROW_PASSPHRASE, fixturePlan } from './ceremony-fixture.ts';

const workspace = tempDir('ceremony-recorded');
afterAll(() => workspace.remove());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function smallPlan(): Record<string, unknown> {
  const plan = fixturePlan('none');
  plan.keys = (plan.keys as Array<Record<string, unknown>>).filter((entry) => entry.alias !== 'ledger');
  return plan;
}

/** The service, except that recording `step` as done throws: the process "dies" right after the step's work. */
function dyingAfter(service: CeremonyService, step: string): CeremonyService {
  return new Proxy(service, {
    get(target, property, receiver) {
      if (property !== 'recordCeremonyStep') return Reflect.get(target, property, receiver);
      return async (record: CeremonyStepRecord) => {
        if (record.step === step && record.status === 'done') throw new Error(`killed after ${step}`);
        return target.recordCeremonyStep(record);
      };
    },
  });
}

async function cutOffAfter(name: string, step: string) {
  const fixture = await createCeremonyFixture(join(workspace.path, name), { plan: smallPlan() });
  const keychain = memoryKeychain();
  const passphrases: string[] = [];
  const open = () => createCeremonyService({ vaultDir: fixture.vaultDir, create: true, keychain });
  const options = (service: CeremonyService): RunCeremonyOptions => ({
    service,
    vaultDir: fixture.vaultDir,
    planPath: fixture.planPath,
    allowOnline: true,
    prompter: null,
    escrowPassphrase: async () => (passphrases.push('asked'), ESCROW_PASSPHRASE),
  });
  const first = await open();
  await expect(runCeremony(options(dyingAfter(first, step)))).rejects.toThrow(`killed after ${step}`);
  await first.close();
  const ceremonyId = (await readdir(join(fixture.vaultDir, 'ceremonies'))).find((file) => file.endsWith('.json'))!.replace('.json', '');
  const state = await loadState(fixture.vaultDir, ceremonyId);
  expect(state.inProgress).toBe(step);
  return { fixture, keychain, state, passphrases, open, options, out: join(fixture.folder, 'out') };
}

async function hashes(folder: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of (await readdir(folder)).sort()) result[name] = sha256(await readFile(join(folder, name)));
  return result;
}

async function auditEvents(vaultDir: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  return (await readFile(join(vaultDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
}

async function bundleRows(vaultDir: string, keychain: Keychain, keyId: string) {
  const context = await openCoreContext({ vaultDir, keychain });
  try {
    return context.vault.bundles.list({ keyId });
  } finally {
    await context.audit.close();
    await context.vault.close();
  }
}

describe('ceremony resume after the core recorded the cut-off step', () => {
  it('keeps a recorded, signed bundle byte for byte and adds no second bundle row', async () => {
    const run = await cutOffAfter('wrap', 'wrap:dek-1');
    const key = run.state.keys.find((item) => item.label === 'dek-1')!;
    const before = await hashes(join(run.out, 'dek-1'));
    expect(Object.keys(before)).toContain('bundle.json');
    expect(await bundleRows(run.fixture.vaultDir, run.keychain, key.keyId)).toHaveLength(1);

    const service = await run.open();
    const outcome = await runCeremony({ ...run.options(service), resume: run.state });
    await service.close();

    expect(outcome.status).toBe('completed');
    expect(await hashes(join(run.out, 'dek-1'))).toEqual(before);
    const rows = await bundleRows(run.fixture.vaultDir, run.keychain, key.keyId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sha256).toBe(before['bundle.json']);
    const wrapped = outcome.state.keys.find((item) => item.label === 'dek-1')!.wrap!;
    expect(Object.fromEntries(wrapped.files.map((file) => [file.name, file.sha256]))).toEqual(Object.fromEntries(Object.entries(before).map(([name, hash]) => [`dek-1/${name}`, hash])));
    const events = await auditEvents(run.fixture.vaultDir);
    expect(events.filter((event) => event.type === 'bundle.written' && event.data.keyId === key.keyId)).toHaveLength(1);
  });

  it('keeps recorded share files (no new split a custodian copy would not combine with)', async () => {
    const run = await cutOffAfter('shares', 'shares:dek-2');
    const key = run.state.keys.find((item) => item.label === 'dek-2')!;
    const folder = join(run.out, 'shares', 'dek-2');
    const before = await hashes(folder);
    expect(Object.keys(before)).toHaveLength(3);

    const service = await run.open();
    const outcome = await runCeremony({ ...run.options(service), resume: run.state });
    await service.close();

    expect(outcome.status).toBe('completed');
    expect(await hashes(folder)).toEqual(before);
    const events = await auditEvents(run.fixture.vaultDir);
    expect(events.filter((event) => event.type === 'shares.split' && event.data.keyId === key.keyId)).toHaveLength(1);
    const shares = outcome.state.keys.find((item) => item.label === 'dek-2')!.shares!;
    expect(shares.files.map((file) => file.sha256).sort()).toEqual(Object.values(before).sort());
  });

  it('keeps a recorded escrow file and does not ask for its passphrase again', async () => {
    const run = await cutOffAfter('escrow', 'escrow');
    const escrowPath = join(run.fixture.folder, 'escrow', 'keys.escrow');
    const before = sha256(await readFile(escrowPath));
    expect(run.passphrases).toHaveLength(1);

    const service = await run.open();
    const outcome = await runCeremony({ ...run.options(service), resume: run.state });
    await service.close();

    expect(outcome.state.escrow?.sha256).toBe(before);
    expect(sha256(await readFile(escrowPath))).toBe(before);
    expect(await readdir(join(run.fixture.folder, 'escrow'))).toEqual(['keys.escrow']);
    expect(run.passphrases).toHaveLength(1);
  });

  it('moves aside, not deletes, a file in the folder that no record mentions', async () => {
    const run = await cutOffAfter('stray', 'wrap:sign');
    const folder = join(run.out, 'sign');
    const before = await hashes(folder);
    await writeFile(join(folder, 'notes.txt'), 'left by the interrupted run');

    const service = await run.open();
    const outcome = await runCeremony({ ...run.options(service), resume: run.state });
    await service.close();

    expect(outcome.status).toBe('completed');
    const after = await readdir(folder);
    const aside = after.filter((name) => name.startsWith('notes.txt.interrupted-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(folder, aside[0]!), 'utf8')).toBe('left by the interrupted run');
    const { [aside[0]!]: _moved, ...rest } = await hashes(folder);
    expect(rest).toEqual(before);
  });

  it('redoes a step whose files were never recorded, keeping the old files under another name', async () => {
    const run = await cutOffAfter('unrecorded', 'wrap:dek-2');
    const folder = join(run.out, 'dek-2');
    // As if the kill had come before the bundle was recorded: the same file names, other bytes.
    for (const name of await readdir(folder)) {
      await unlink(join(folder, name));
      await writeFile(join(folder, name), `unrecorded ${name}`);
    }
    const unrecorded = await hashes(folder);

    const service = await run.open();
    const outcome = await runCeremony({ ...run.options(service), resume: run.state });
    await service.close();

    expect(outcome.status).toBe('completed');
    const after = await hashes(folder);
    for (const [name, hash] of Object.entries(unrecorded)) {
      const aside = Object.keys(after).find((entry) => entry.startsWith(`${name}.interrupted-`));
      expect(aside, `${name} moved aside`).toBeDefined();
      expect(after[aside!]).toBe(hash);
      expect(after[name]).not.toBe(hash); // the redone wrap's own file
    }
  });

  it('refuses to redo a step whose recorded files are only partly on disk, and touches nothing', async () => {
    const run = await cutOffAfter('partial', 'wrap:dek-1');
    const folder = join(run.out, 'dek-1');
    const names = (await readdir(folder)).filter((name) => name !== 'bundle.json');
    await rm(join(folder, names[0]!));
    const before = await hashes(folder);

    const service = await run.open();
    await expect(runCeremony({ ...run.options(service), resume: run.state })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining('recorded in the audit log') });
    await service.close();
    expect(await hashes(folder)).toEqual(before);
  });
});

describe('a resume after the cut-off bundle\'s import parameters expired', () => {
  it('keeps the recorded bundle as it is and says it cannot be imported any more', async () => {
    const run = await cutOffAfter('wrap-late', 'wrap:dek-1');
    const before = await hashes(join(run.out, 'dek-1'));
    const validTo = JSON.parse(await readFile(join(run.out, 'dek-1', 'bundle.json'), 'utf8')).parametersValidTo as string;
    // A day later the operator fetches fresh parameter files (same names: the plan itself is unchanged) to resume.
    const later = new FixedClock(new Date(Date.parse(validTo) + 3_600_000));
    const fresh = new Date(later.now().getTime() + 6 * 3_600_000);
    for (const [name, provider] of [['aws-dek-1', 'aws'], ['aws-dek-2', 'aws'], ['tencent-ledger', 'tencent'], ['huawei-sign', 'huawei']] as const) {
      await writeParamsFile(join(run.fixture.folder, 'params', `${name}.json`), { provider, validTo: fresh });
    }
    const said: string[] = [];
    const service = await createCeremonyService({ vaultDir: run.fixture.vaultDir, keychain: run.keychain, clock: later });
    const outcome = await runCeremony({ ...run.options(service), resume: run.state, clock: later, say: (line: string) => said.push(line) });
    await service.close();

    expect(outcome.status).toBe('completed');
    expect(await hashes(join(run.out, 'dek-1'))).toEqual(before);
    const warnings = outcome.state.keys.find((item) => item.label === 'dek-1')!.wrap!.warnings;
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`expired at ${validTo} .* wrap the key again`))]);
    expect(said.some((line) => line.startsWith('Warning: ') && line.includes(validTo))).toBe(true);
    // The keys not yet wrapped at the cut-off are wrapped under the fresh parameters, with no warning.
    expect(outcome.state.keys.find((item) => item.label === 'dek-2')!.wrap!.warnings).toEqual([]);
  });
});
