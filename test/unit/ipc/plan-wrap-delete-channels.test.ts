// The three operations the CLI had alone (plan check, bulk wrap, delete imported material) as contract
// methods and channels: the real plan module's reports fit the reply schema, requests are strict, and
// the real service audits refusals of the two that change things.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCeremonyService, planCheckSummary, type CoreCeremonyService } from '../../../main/core/ceremony.ts';
import { memoryKeychain } from '../../../main/core/backup/memory-keychain.ts';
import { checkPlanFile } from '../../../main/core/plan/index.ts';
import { createIpcHandlers } from '../../../main/ipc/index.ts';
import { SERVICE_CHANNELS } from '../../../shared/ipc.ts';
import { copyFixturePlan, writeExampleParams } from '../../fixtures/plans/make-params.ts';
import { createFakeService } from '../../support-ui/fake-service.ts';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'byok-plan-channel-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('planCheck', () => {
  it('turns the example plan’s report into a reply the channel accepts: every slot, shares and escrow', async () => {
    const at = new Date('2026-12-01T09:00:00Z');
    await writeExampleParams(folder, new Date(at.getTime() + 86_400_000));
    const planPath = await copyFixturePlan('example-plan.yaml', folder);
    const report = await checkPlanFile(planPath, { at });
    const summary = planCheckSummary(report);

    const parsed = SERVICE_CHANNELS.planCheck.reply.parse(summary);
    expect(parsed.ok).toBe(true);
    expect(parsed.sha256).toBe(report.sha256);
    expect(parsed.keys.map((key) => [key.label, key.spec, key.count, key.provider])).toEqual([
      ['payments-dek-1', 'AES_256', 2, 'aws'],
      ['payments-dek-2', 'AES_256', 2, 'aws'],
      ['ledger-key', 'AES_256', 1, 'tencent'],
      ['signing-ec', 'EC_P256', 1, 'huawei'],
    ]);
    expect(parsed.keys.every((key) => key.materialExpiry === null)).toBe(true);
    expect(parsed.keys[0]!.paramsPath).toBe(join(folder, 'params/aws-payments-dek-1.json'));
    expect(parsed.backup?.split).toEqual({ threshold: 2, total: 3, custodians: ['Dave Custodian', 'Erin Custodian', 'Frank Custodian'], folder: join(folder, 'out/payments-2026-12/shares') });
    expect(parsed.backup?.escrowPath).toBe(join(folder, 'escrow/payments-2026-12.escrow'));
    expect(parsed.witnesses).toEqual(['Bob Witness', 'Carol Witness']);
  });

  it('keeps every problem with its line and column, and a plan time without seconds becomes a full timestamp', async () => {
    const planPath = join(folder, 'plan.yaml');
    writeFileSync(planPath, 'version: 1\nceremony: c\noperator: o\nkeys:\n  - alias: k\n    spec: AES_256\n    params: missing.json\n    materialExpiry: 2027-06-30T00:00Z\nbackup:\n  keychain: false\noutput: out\n');
    const summary = SERVICE_CHANNELS.planCheck.reply.parse(planCheckSummary(await checkPlanFile(planPath)));
    expect(summary.ok).toBe(false);
    expect(summary.keys[0]!.materialExpiry).toBe('2027-06-30T00:00:00Z');
    const codes = summary.problems.map((problem) => problem.code);
    expect(codes).toEqual(expect.arrayContaining(['WITNESS_REQUIRED', 'KEYCHAIN_REQUIRED', 'PARAMS_NOT_FOUND']));
    const keychain = summary.problems.find((problem) => problem.code === 'KEYCHAIN_REQUIRED')!;
    expect([keychain.line, keychain.column]).toEqual([10, 13]);
  });

  it('refuses a time without a zone at the channel, before the core runs', async () => {
    const service = createFakeService();
    const handlers = createIpcHandlers(service, { isTrustedSender: () => true });
    const reply = await handlers.handle('planCheck', { path: '/p/plan.yaml', at: '2026-12-01 09:00' }, { frameUrl: null });
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(service.planCheck).not.toHaveBeenCalled();
  });
});

describe('wrapAll and deleteMaterial channels', () => {
  it('pass a valid request through unchanged and refuse a key id on the bulk channel', async () => {
    const service = createFakeService();
    const handlers = createIpcHandlers(service, { isTrustedSender: () => true });
    expect(await handlers.handle('wrapAll', { paramsPath: '/r.json', outDir: '/o', keyId: 'k' }, { frameUrl: null })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(service.wrapAll).not.toHaveBeenCalled();
    await handlers.handle('deleteMaterial', { keyId: 'key-9', provider: 'hw', operator: 'Ann' }, { frameUrl: null });
    expect(service.deleteMaterial).toHaveBeenCalledWith({ keyId: 'key-9', provider: 'hw', operator: 'Ann' });
  });
});

describe('the real service', () => {
  let service: CoreCeremonyService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('audits a refused bulk wrap and a refused material deletion, and checks a plan without a vault key', async () => {
    service = await createCeremonyService({ vaultDir: join(folder, 'vault'), create: true, keychain: memoryKeychain() });
    await expect(service.wrapAll({ paramsPath: join(folder, 'none.json'), outDir: join(folder, 'out'), operator: 'Ann' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(service.deleteMaterial({ keyId: 'no-such-key' })).rejects.toMatchObject({ name: 'ByokError' });
    const refusals = (await service.auditList({})).events.filter((event) => event.type === 'refusal');
    expect(refusals).toHaveLength(2);
    expect(refusals[0]!.operator).toBe('Ann');

    await expect(service.planCheck({ path: join(folder, 'plan.yaml'), at: 'soon' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // An impossible date is refused, not rolled over into March.
    await expect(service.planCheck({ path: join(folder, 'plan.yaml'), at: '2027-02-30T09:00:00Z' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(service.planCheck({ path: join(folder, 'plan.yaml') })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
