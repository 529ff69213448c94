import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { FixedClock } from '../../../../main/core/clock.ts';
import { loadState, renderTranscript, runCeremony, type CeremonyPrompter, type RunCeremonyOptions } from '../../../../main/core/ceremony-run/index.ts';
import { writeParamsFile } from '../../../fixtures/plans/make-params.ts';
import { fakeService, type FakeService } from './fake-service.ts';

const clock = new FixedClock('2026-12-01T09:00:00Z');
let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'byok-ceremony-run-'));
  const validTo = new Date('2026-12-02T09:00:00Z');
  await writeParamsFile(join(root, 'params/aws-1.json'), { provider: 'aws', validTo });
  await writeParamsFile(join(root, 'params/aws-2.json'), { provider: 'aws', validTo });
  await writeParamsFile(join(root, 'params/huawei-ec.json'), { provider: 'huawei', validTo });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function planObject(confirmations: 'witness' | 'none'): Record<string, unknown> {
  return {
    version: 1,
    ceremony: 'Unit ceremony',
    operator: 'Alice',
    witnesses: ['Bob', 'Carol'],
    confirmations,
    keys: [
      { alias: 'dek', spec: 'AES_256', count: 2, params: ['../params/aws-1.json', '../params/aws-2.json'], algorithm: 'RSAES_OAEP_SHA_256' },
      { alias: 'sign', spec: 'EC_P256', params: '../params/huawei-ec.json' },
    ],
    backup: { keychain: true, shares: { threshold: 2, shares: 3, custodians: ['C1', 'C2', 'C3'] }, escrow: { path: 'escrow/keys.escrow' } },
    output: 'out',
  };
}

async function setup(confirmations: 'witness' | 'none' = 'none', plan = planObject(confirmations)) {
  const folder = join(root, `case-${++counter}`);
  await mkdir(folder, { recursive: true });
  const planPath = join(folder, 'plan.yaml');
  await writeFile(planPath, stringify(plan));
  const service = fakeService();
  const vaultDir = join(folder, 'vault');
  const base: RunCeremonyOptions = { service, vaultDir, planPath, allowOnline: true, prompter: null, escrowPassphrase: async () => 'a long escrow passphrase', clock };
  return { folder, planPath, service, vaultDir, base };
}

/** A prompter that answers read-backs from a function and records what was said. */
function scriptedPrompter(answer: (question: string, said: string[]) => string, secrets: string[] = ['pass phrase one', 'pass phrase one']): CeremonyPrompter & { said: string[]; questions: string[] } {
  const said: string[] = [];
  const questions: string[] = [];
  return {
    said,
    questions,
    say: (text) => said.push(text),
    ask: async (question) => (questions.push(question), answer(question, said)),
    askSecret: async (question) => (questions.push(question), secrets.shift() ?? ''),
  };
}

/** What the screen showed last: the check value the witness is asked to type. */
function shownCheck(said: string[]): string {
  const line = said.findLast((text) => /KCV:|fingerprint/.test(text))!;
  return line.split(':  ').at(-1)!;
}

function stepStatuses(service: FakeService): string[] {
  return service.steps.map((step) => `${step.step}=${step.status}`);
}

describe('ceremony runner', () => {
  it('runs an unattended plan end to end and records every step as it happens', async () => {
    const { service, base, vaultDir, folder } = await setup('none');
    const outcome = await runCeremony(base);
    expect(outcome.status).toBe('completed');
    expect(service.calls.filter((call) => call === 'generateKeys')).toHaveLength(2);
    expect(service.calls.filter((call) => call === 'wrap')).toHaveLength(3);
    expect(service.calls.filter((call) => call === 'sharesSplit')).toHaveLength(3);
    const statuses = stepStatuses(service);
    expect(statuses.slice(0, 4)).toEqual(['offline-check=done', 'plan-check=done', 'generate:0=started', 'generate:0=done']);
    expect(statuses).toContain('confirm:dek-1=skipped');
    expect(statuses.at(-1)).toBe('finalize=done');
    expect(service.steps.every((step) => step.planSha256 === outcome.state.planSha256 && step.ceremonyId === outcome.state.ceremonyId && step.operator === 'Alice')).toBe(true);
    const saved = await loadState(vaultDir, outcome.state.ceremonyId);
    expect(saved.finishedAt).not.toBeNull();
    expect(saved.unattended).toBe(true);
    expect(saved.keys.map((key) => key.label)).toEqual(['dek-1', 'dek-2', 'sign']);
    expect(saved.keys.every((key) => key.confirmation?.status === 'unattended' && key.backup?.verified && key.wrap?.files.length === 2 && key.shares?.files.length === 3)).toBe(true);
    expect(saved.keys[0]?.wrap?.files.map((file) => file.name)).toEqual(['dek-1/bundle.json', 'dek-1/EncryptedKeyMaterial.bin']);
    expect(saved.sessions[0]?.allowedOnline).toBe(true);
    expect(saved.audit?.head).toMatch(/^[0-9a-f]{64}$/);
    expect(await readdir(join(folder, 'out'))).toEqual(expect.arrayContaining(['dek-1', 'dek-2', 'sign', 'shares']));
  });

  it('refuses to run online without --allow-online, records the refusal and writes nothing', async () => {
    const { service, base, vaultDir } = await setup('none');
    await expect(runCeremony({ ...base, allowOnline: false })).rejects.toMatchObject({ code: 'CEREMONY_NOT_OFFLINE' });
    expect(stepStatuses(service)).toEqual(['offline-check=refused']);
    expect(service.calls).toEqual(['offlineCheck']);
    expect(await stat(join(vaultDir, 'ceremonies')).catch(() => null)).toBeNull();
  });

  it('runs offline machines without --allow-online', async () => {
    const { service, base } = await setup('none');
    service.offline = { offline: true, interfaces: [], defaultRoute: false, checkedAt: '2026-12-01T09:00:00Z' };
    const outcome = await runCeremony({ ...base, allowOnline: false });
    expect(outcome.state.sessions[0]).toMatchObject({ allowedOnline: false, offline: { offline: true } });
  });

  it('refuses a witnessed plan with no terminal to ask on', async () => {
    const { service, base } = await setup('witness');
    await expect(runCeremony(base)).rejects.toMatchObject({ code: 'CEREMONY_CONFIRMATION_FAILED' });
    expect(service.calls).not.toContain('generateKeys');
  });

  it('refuses a plan that fails its check before generating anything', async () => {
    const plan = planObject('none');
    plan.witnesses = 'Bob';
    const { service, base } = await setup('none', plan);
    await expect(runCeremony(base)).rejects.toMatchObject({ code: 'PLAN_INVALID' });
    expect(stepStatuses(service)).toEqual(['offline-check=done', 'plan-check=refused']);
    expect(service.calls).not.toContain('generateKeys');
  });

  it('confirms keys whose check value the witness types back, ignoring case and spaces', async () => {
    const { service, base } = await setup('witness');
    const prompter = scriptedPrompter((_, said) => ` ${shownCheck(said).toLowerCase()} `);
    const outcome = await runCeremony({ ...base, prompter });
    expect(outcome.status).toBe('completed');
    expect(outcome.state.keys.map((key) => [key.confirmation?.status, key.confirmation?.witness])).toEqual([
      ['confirmed', 'Bob'],
      ['confirmed', 'Carol'],
      ['confirmed', 'Bob'],
    ]);
    expect(stepStatuses(service)).toEqual(expect.arrayContaining(['confirm:dek-1=confirmed', 'confirm:sign=confirmed']));
    // The escrow passphrase was asked twice, hidden.
    expect(prompter.questions.filter((question) => /passphrase/i.test(question))).toHaveLength(2);
  });

  it('stops only the key whose check value was typed back wrong: no shares, escrow or wrap for it', async () => {
    const { service, base, folder } = await setup('witness');
    const prompter = scriptedPrompter((_, said) => (said.some((text) => text.startsWith('\nKey dek-2')) && !said.some((text) => text.startsWith('\nKey sign')) ? '000000' : shownCheck(said)));
    const outcome = await runCeremony({ ...base, prompter });
    expect(outcome.status).toBe('completed-with-refusals');
    expect(outcome.refusedKeys).toEqual(['dek-2']);
    const refused = outcome.state.keys.find((key) => key.label === 'dek-2')!;
    expect(refused.confirmation).toMatchObject({ status: 'refused', typed: '000000' });
    expect(refused.wrap).toBeNull();
    expect(refused.shares).toBeNull();
    expect(stepStatuses(service)).toEqual(expect.arrayContaining(['confirm:dek-2=refused', 'backup-verify:dek-2=skipped', 'shares:dek-2=skipped', 'wrap:dek-2=skipped']));
    expect(await readdir(join(folder, 'out'))).not.toContain('dek-2');
    expect(outcome.state.escrow?.keys).toBe(2);
    const transcript = await renderTranscript(outcome.state, 'md');
    expect(transcript).toContain('"000000" DOES NOT MATCH — key refused');
    expect(transcript).toContain('none: key refused');
  });

  it('asks for the escrow passphrase again when the two entries differ', async () => {
    const { base } = await setup('witness');
    const prompter = scriptedPrompter((_, said) => shownCheck(said), ['first try', 'first tyr', 'second try', 'second try']);
    const outcome = await runCeremony({ ...base, prompter });
    expect(outcome.state.escrow).not.toBeNull();
    expect(prompter.said).toContain('The two entries differ; try again.');
  });

  it('stops the whole run when a backup does not verify, and exports nothing after it', async () => {
    const { service, base } = await setup('none');
    const original = service.generateKeys;
    service.generateKeys = async (request, options) => {
      const reply = await original(request, options);
      if (request.alias === 'sign') service.failedBackups.add(reply.keys[0]!.id);
      return reply;
    };
    await expect(runCeremony(base)).rejects.toMatchObject({ code: 'BACKUP_MISMATCH' });
    expect(service.calls).not.toContain('wrap');
    expect(service.calls).not.toContain('sharesSplit');
  });

  it('resumes after a crash at every step boundary without regenerating a reported key', async () => {
    const methods: Array<[string, number]> = [['generateKeys', 2], ['backupVerify', 2], ['sharesSplit', 3], ['escrowWrite', 1], ['wrap', 1], ['wrap', 3], ['auditVerify', 1]];
    for (const [method, call] of methods) {
      const { service, base, vaultDir, folder } = await setup('none');
      service.failAt = { method, call };
      await expect(runCeremony(base)).rejects.toThrow(`simulated crash in ${method}`);
      const files = await readdir(vaultDir + '/ceremonies');
      const ceremonyId = files[0]!.replace('.json', '');
      const before = await loadState(vaultDir, ceremonyId);
      const keysBefore = before.keys.map((key) => key.keyId);
      const generatedBefore = service.generated.length;
      const outcome = await runCeremony({ ...base, resume: before });
      expect(outcome.status).toBe('completed');
      expect(outcome.state.keys.slice(0, keysBefore.length).map((key) => key.keyId)).toEqual(keysBefore);
      expect(service.generated.length - generatedBefore).toBe(3 - keysBefore.length);
      expect(outcome.state.keys.every((key) => key.wrap?.files.length === 2)).toBe(true);
      expect(outcome.state.sessions.map((session) => session.kind)).toEqual(['run', 'resume']);
      expect((await readdir(join(folder, 'out'))).sort()).toEqual(['dek-1', 'dek-2', 'shares', 'sign']);
    }
  });

  it('moves aside the unrecorded partial output of the step that was cut off, then redoes it', async () => {
    const { service, base, vaultDir, folder } = await setup('none');
    service.failAt = { method: 'wrap', call: 2 };
    await expect(runCeremony(base)).rejects.toThrow('simulated crash');
    const ceremonyId = (await readdir(join(vaultDir, 'ceremonies')))[0]!.replace('.json', '');
    const state = await loadState(vaultDir, ceremonyId);
    expect(state.inProgress).toBe('wrap:dek-2');
    await mkdir(join(folder, 'out', 'dek-2'), { recursive: true });
    await writeFile(join(folder, 'out', 'dek-2', 'bundle.json'), 'half-written');
    const outcome = await runCeremony({ ...base, resume: state });
    expect(outcome.state.keys[1]?.wrap?.files).toHaveLength(2);
    expect(await readFile(join(folder, 'out', 'dek-2', 'bundle.json'), 'utf8')).toContain('bundle of');
    // Not deleted: kept under another name, and the move is in the audit log.
    const aside = (await readdir(join(folder, 'out', 'dek-2'))).filter((name) => name.startsWith('bundle.json.interrupted-'));
    expect(aside).toEqual(['bundle.json.interrupted-20261201T090000Z']);
    expect(await readFile(join(folder, 'out', 'dek-2', aside[0]!), 'utf8')).toBe('half-written');
    expect(service.steps.some((step) => step.step === 'wrap:dek-2' && step.detail?.movedAside === 'dek-2/bundle.json.interrupted-20261201T090000Z')).toBe(true);
  });

  it('names the keys an interrupted generation saved but never reported, and does not use them', async () => {
    const { service, base, vaultDir } = await setup('none');
    const original = service.generateKeys;
    let crashed = false;
    service.generateKeys = async (request, options) => {
      const reply = await original(request, options);
      if (request.alias === 'sign' && !crashed) {
        crashed = true;
        throw new Error('killed after the core saved the key');
      }
      return reply;
    };
    await expect(runCeremony(base)).rejects.toThrow('killed after');
    const ceremonyId = (await readdir(join(vaultDir, 'ceremonies')))[0]!.replace('.json', '');
    const outcome = await runCeremony({ ...base, resume: await loadState(vaultDir, ceremonyId) });
    const orphan = service.generated.find((key) => key.alias === 'sign' && !outcome.state.keys.some((used) => used.keyId === key.id))!;
    expect(outcome.state.orphanedKeys).toEqual([{ keyId: orphan.id, alias: 'sign', check: orphan.check.value }]);
    expect(outcome.state.keys.map((key) => key.label)).toEqual(['dek-1', 'dek-2', 'sign']);
    expect(service.steps.some((step) => step.step === 'generate:1' && step.status === 'skipped' && step.detail?.orphanedKeys === orphan.id)).toBe(true);
    expect(await renderTranscript(outcome.state, 'md')).toContain(`not used in this ceremony (still in the vault): sign ${orphan.id}`);
  });

  it('refuses to resume when the plan file changed', async () => {
    const { service, base, vaultDir, planPath } = await setup('none');
    service.failAt = { method: 'wrap', call: 1 };
    await expect(runCeremony(base)).rejects.toThrow('simulated crash');
    const ceremonyId = (await readdir(join(vaultDir, 'ceremonies')))[0]!.replace('.json', '');
    await writeFile(planPath, `${await readFile(planPath, 'utf8')}# edited\n`);
    await expect(runCeremony({ ...base, resume: await loadState(vaultDir, ceremonyId) })).rejects.toMatchObject({ code: 'CEREMONY_STATE_INVALID' });
  });

  it('refuses to resume a ceremony that already finished', async () => {
    const { base } = await setup('none');
    const outcome = await runCeremony(base);
    await expect(runCeremony({ ...base, resume: outcome.state })).rejects.toMatchObject({ code: 'CEREMONY_STATE_INVALID' });
  });
});
