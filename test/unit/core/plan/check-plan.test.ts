import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkPlanFile, planSha256, hexToPgpWords, type PlanCheckReport } from '../../../../main/core/plan/index.ts';
import { copyFixturePlan, writeExampleParams, writeParamsFile } from '../../../fixtures/plans/make-params.ts';

const NOW = new Date('2026-12-01T09:00:00Z');
const VALID_TO = new Date('2026-12-02T09:00:00Z');
let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'byok-plan-check-'));
  await writeExampleParams(root, VALID_TO);
  await writeParamsFile(join(root, 'params/aws-ec.json'), { provider: 'aws', validTo: VALID_TO });
  await writeFile(join(root, 'params/garbage.json'), '{"hello": "world"}');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A plan in its own folder under root (params are shared: ../params/...). */
function basePlan(): Record<string, unknown> {
  return {
    version: 1,
    ceremony: 'Test ceremony',
    operator: 'Alice',
    witnesses: ['Bob'],
    confirmations: 'witness',
    keys: [
      { alias: 'dek', spec: 'AES_256', count: 2, params: ['../params/aws-payments-dek-1.json', '../params/aws-payments-dek-2.json'], algorithm: 'RSAES_OAEP_SHA_256' },
      { alias: 'ledger', spec: 'AES_256', params: '../params/tencent-ledger.json', algorithm: 'RSAES_OAEP_SHA_256' },
      { alias: 'signing', spec: 'EC_P256', params: '../params/huawei-signing.json' },
    ],
    backup: { keychain: true, shares: { threshold: 2, shares: 3, custodians: ['C1', 'C2', 'C3'] }, escrow: { path: 'escrow/file.escrow' } },
    output: 'out',
  };
}

async function check(plan: Record<string, unknown> | string, at = NOW): Promise<{ report: PlanCheckReport; text: string; folder: string }> {
  const folder = join(root, `plan-${++counter}`);
  await mkdir(folder, { recursive: true });
  const text = typeof plan === 'string' ? plan : stringify(plan);
  await writeFile(join(folder, 'plan.yaml'), text);
  return { report: await checkPlanFile(join(folder, 'plan.yaml'), { at }), text, folder };
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`${needle} not in plan`);
  return index + 1;
}

function codes(report: PlanCheckReport): string[] {
  return report.problems.map((problem) => problem.code);
}

describe('plan check', () => {
  it('accepts the documented example plan and gives its SHA-256 in hex and words', async () => {
    const folder = join(root, 'example');
    const planPath = await copyFixturePlan('example-plan.yaml', folder);
    await writeExampleParams(folder, VALID_TO);
    const report = await checkPlanFile(planPath, { at: NOW });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const { readFile } = await import('node:fs/promises');
    expect(report.sha256).toBe(planSha256(await readFile(planPath)));
    expect(report.words).toBe(hexToPgpWords(report.sha256));
    expect(report.words.split(' ')).toHaveLength(32);
    expect(report.slots.map((slot) => slot.label)).toEqual(['payments-dek-1', 'payments-dek-2', 'ledger-key', 'signing-ec']);
    expect(report.slots.map((slot) => slot.params?.provider)).toEqual(['aws', 'aws', 'tencent', 'huawei']);
    expect(report.slots[3]?.params?.algorithm).toBe('RSA_AES_KEY_WRAP_SHA_256');
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const text = 'version: 1\nceremony: Test\nkeys: [\n  - alias: x\n';
    const { report } = await check(text);
    expect(codes(report)).toContain('YAML_SYNTAX');
    expect(report.problems[0]?.line).toBeGreaterThanOrEqual(3);
    expect(report.problems[0]?.column).toBeGreaterThanOrEqual(1);
  });

  it('reports a duplicate YAML key as a syntax error at its line', async () => {
    const text = 'version: 1\nceremony: Test\nceremony: Again\n';
    const { report } = await check(text);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'YAML_SYNTAX', line: 3 })]);
  });

  it('reports schema errors at the line of the offending value, unknown fields at the key', async () => {
    const plan = basePlan();
    (plan.keys as Array<Record<string, unknown>>)[1]!.spec = 'AES_257';
    (plan.keys as Array<Record<string, unknown>>)[2]!.paramz = 'typo.json';
    const { report, text } = await check(plan);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'SCHEMA', path: 'keys[1].spec', line: lineOf(text, 'AES_257') }));
    expect(report.problems).toContainEqual(
      expect.objectContaining({ code: 'SCHEMA', path: 'keys[2].paramz', line: lineOf(text, 'paramz'), message: "unknown field 'paramz'" }),
    );
  });

  it('reports a missing required field at the object that lacks it', async () => {
    const plan = basePlan();
    delete plan.operator;
    const { report } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'SCHEMA', path: 'operator', message: 'required field is missing', line: 1 }));
  });

  it('requires a witness unless the plan says confirmations: none', async () => {
    const plan = basePlan();
    plan.witnesses = [];
    const { report, text } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'WITNESS_REQUIRED', line: lineOf(text, 'witnesses') }));
    const unattended = { ...plan, confirmations: 'none' };
    expect(codes((await check(unattended)).report)).not.toContain('WITNESS_REQUIRED');
  });

  it('refuses a plan that turns the keychain backup off', async () => {
    const plan = basePlan();
    (plan.backup as Record<string, unknown>).keychain = false;
    const { report, text } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'KEYCHAIN_REQUIRED', path: 'backup.keychain', line: lineOf(text, 'keychain: false') }));
  });

  it('refuses the same alias for two groups', async () => {
    const plan = basePlan();
    (plan.keys as Array<Record<string, unknown>>)[1]!.alias = 'dek';
    const { report } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'DUPLICATE_ALIAS', path: 'keys[1].alias' }));
  });

  it('needs one params file per key', async () => {
    const plan = basePlan();
    (plan.keys as Array<Record<string, unknown>>)[0]!.params = '../params/aws-payments-dek-1.json';
    const { report, text } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'PARAMS_COUNT_MISMATCH', path: 'keys[0].params', line: lineOf(text, 'params: ../params/aws-payments-dek-1.json') }));
  });

  it('refuses a params file that is missing', async () => {
    const plan = basePlan();
    (plan.keys as Array<Record<string, unknown>>)[1]!.params = '../params/nowhere.json';
    const { report, text } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'PARAMS_NOT_FOUND', path: 'keys[1].params', line: lineOf(text, 'nowhere.json') }));
  });

  it('refuses a params file no provider wrote', async () => {
    const plan = basePlan();
    (plan.keys as Array<Record<string, unknown>>)[1]!.params = '../params/garbage.json';
    const { report } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'PARAMS_PROVIDER_UNKNOWN', path: 'keys[1].params' }));
  });

  it('refuses params that will have expired at the planned time (--at)', async () => {
    const { report, text } = await check(basePlan(), new Date('2026-12-03T09:00:00Z'));
    const expired = report.problems.filter((problem) => problem.code === 'PARAMS_EXPIRED');
    expect(expired.map((problem) => problem.path)).toEqual(['keys[0].params[0]', 'keys[0].params[1]', 'keys[1].params', 'keys[2].params']);
    expect(expired[0]?.line).toBe(lineOf(text, 'aws-payments-dek-1.json'));
    expect((await check(basePlan(), NOW)).report.ok).toBe(true);
  });

  it('refuses an algorithm the provider does not accept for the spec', async () => {
    const plan = basePlan();
    (plan.keys as Array<Record<string, unknown>>).push({ alias: 'aws-ec', spec: 'EC_P256', params: '../params/aws-ec.json', algorithm: 'RSAES_OAEP_SHA_256' });
    const { report } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'ALGORITHM_NOT_ACCEPTED', path: 'keys[3].params' }));
  });

  it('asks for an algorithm when neither the plan nor the params file decides it', async () => {
    const plan = basePlan();
    delete (plan.keys as Array<Record<string, unknown>>)[1]!.algorithm; // Tencent offers three
    const { report } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'ALGORITHM_UNDECIDED', path: 'keys[1].params', message: expect.stringContaining("set the key's algorithm in the plan") }));
  });

  it('refuses a spec the provider cannot import', async () => {
    const plan = basePlan();
    (plan.keys as Array<Record<string, unknown>>)[1]!.spec = 'EC_P256'; // Tencent imports symmetric keys only
    const { report } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'SPEC_NOT_ACCEPTED', path: 'keys[1].params' }));
  });

  it('refuses a material expiry the provider cannot honour', async () => {
    const plan = basePlan();
    (plan.keys as Array<Record<string, unknown>>)[2]!.materialExpiry = '2027-06-30T00:00:00Z'; // Huawei EC never expires
    const { report } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'MATERIAL_EXPIRY_INVALID', path: 'keys[2].params' }));
  });

  it('refuses two keys planned for the same remote KMS key', async () => {
    const plan = basePlan();
    (plan.keys as Array<Record<string, unknown>>)[0]!.params = ['../params/aws-payments-dek-1.json', '../params/aws-payments-dek-1.json'];
    const { report } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'PARAMS_DUPLICATE_REMOTE_KEY', path: 'keys[0].params[1]' }));
  });

  it('refuses an output folder that is not empty, and accepts an empty one', async () => {
    const { report: first, folder } = await check(basePlan());
    expect(first.ok).toBe(true);
    await mkdir(join(folder, 'out'));
    expect((await checkPlanFile(join(folder, 'plan.yaml'), { at: NOW })).ok).toBe(true);
    await writeFile(join(folder, 'out', 'left-over.bin'), 'x');
    const again = await checkPlanFile(join(folder, 'plan.yaml'), { at: NOW });
    expect(again.problems).toContainEqual(expect.objectContaining({ code: 'OUTPUT_NOT_EMPTY', path: 'output' }));
  });

  it.each([
    [{ threshold: 1, shares: 3 }, 'backup.shares.threshold'],
    [{ threshold: 4, shares: 3 }, 'backup.shares.threshold'],
    [{ threshold: 2, shares: 17 }, 'backup.shares.shares'],
    [{ threshold: 2, shares: 1 }, 'backup.shares.shares'],
  ])('refuses share settings %o', async (shares, path) => {
    const plan = basePlan();
    (plan.backup as Record<string, unknown>).shares = shares;
    const { report, text } = await check(plan);
    const field = path.split('.').at(-1)!;
    expect(report.problems).toContainEqual(
      expect.objectContaining({ code: 'SHARES_INVALID', path, line: lineOf(text, `${field}: ${(shares as Record<string, number>)[field]}`) }),
    );
  });

  it('needs one custodian per share when custodians are named', async () => {
    const plan = basePlan();
    (plan.backup as Record<string, Record<string, unknown>>).shares!.custodians = ['C1', 'C2'];
    const { report } = await check(plan);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'CUSTODIANS_MISMATCH', path: 'backup.shares.custodians' }));
  });

  it('refuses an escrow path that already exists', async () => {
    const { folder } = await check(basePlan());
    await mkdir(join(folder, 'escrow'));
    await writeFile(join(folder, 'escrow', 'file.escrow'), 'old');
    const report = await checkPlanFile(join(folder, 'plan.yaml'), { at: NOW });
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'ESCROW_EXISTS', path: 'backup.escrow.path' }));
    expect((await checkPlanFile(join(folder, 'plan.yaml'), { at: NOW, resuming: true })).ok).toBe(true);
  });

  it('lets a rehearsal check a plan whose real parameters have expired', async () => {
    const { folder } = await check(basePlan());
    const late = new Date('2026-12-05T00:00:00Z');
    expect((await checkPlanFile(join(folder, 'plan.yaml'), { at: late })).ok).toBe(false);
    expect((await checkPlanFile(join(folder, 'plan.yaml'), { at: late, rehearsal: true })).ok).toBe(true);
  });
});
