// Every refusal of the wrap path leaves the output folder untouched: the pipeline below runs the core
// in the order a ceremony does (parse, check, expiry, wrap, write) against real files and an openssl
// wrapping key, and each case shows the error and that no output was written.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeySpecName } from '../../../shared/key-specs.ts';
import { outputLayout, type WrappingAlgorithm } from '../../../shared/providers.ts';
import { checkWrapRequest, parseImportParameters, parseMaterialExpiry, providerNativeFiles, wrapMaterial, writeOutputs } from '../../../main/core/wrap/index.ts';
import { paramsFixture } from '../../unit/core/wrap/support.ts';

const work = mkdtempSync(join(tmpdir(), 'byok-wrap-refusals-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let spki: Uint8Array;
beforeAll(() => {
  const privatePem = join(work, 'wrapping.pem');
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', privatePem], { stdio: 'ignore' });
  spki = new Uint8Array(execFileSync('openssl', ['pkey', '-in', privatePem, '-pubout', '-outform', 'DER']));
});

const now = new Date('2026-11-25T10:00:00Z');
const hours = (count: number): Date => new Date(now.getTime() + count * 3_600_000);

interface Ceremony {
  paramsText: string;
  spec: KeySpecName;
  algorithm?: WrappingAlgorithm;
  materialExpiry?: string;
  outDir: string;
}

async function ceremony(run: Ceremony): Promise<string[]> {
  const params = parseImportParameters(run.paramsText, { fileName: 'params.json', ...(run.algorithm ? { algorithm: run.algorithm } : {}) });
  const { algorithm, warnings } = checkWrapRequest({ params, spec: run.spec, ...(run.algorithm ? { algorithm: run.algorithm } : {}), now });
  const materialExpiry = parseMaterialExpiry(run.materialExpiry, params.provider, now, run.spec);
  const wrapped = wrapMaterial({ material: new Uint8Array(32).fill(0x42), wrappingPublicKeySpki: params.wrappingPublicKeySpki, algorithm, layout: outputLayout(params.provider, run.spec) });
  await writeOutputs(run.outDir, providerNativeFiles({ provider: params.provider, params, wrapped, materialExpiry, alias: 'k' }));
  return warnings;
}

let caseNumber = 0;
const freshOut = (): string => join(work, `out-${caseNumber++}`);

async function expectRefusal(run: Omit<Ceremony, 'outDir'>, code: string, message?: RegExp): Promise<void> {
  const outDir = freshOut();
  await expect(ceremony({ ...run, outDir })).rejects.toMatchObject({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });
  expect(existsSync(outDir)).toBe(false);
}

describe('wrap refusals write nothing', () => {
  it('refuses expired parameters, showing the deadline in UTC', async () => {
    await expectRefusal({ paramsText: paramsFixture('tencent-bare.json', { spki, validTo: hours(-1) }), spec: 'AES_256', algorithm: 'RSAES_OAEP_SHA_256' }, 'PARAMS_EXPIRED', /2026-11-25T09:00:00Z \(UTC\)/);
  });

  it('wraps with a warning when under one hour is left', async () => {
    const outDir = freshOut();
    const warnings = await ceremony({ paramsText: paramsFixture('huawei.json', { spki, validTo: hours(0.5) }), spec: 'AES_256', outDir });
    expect(warnings).toEqual([expect.stringContaining('in 30 minutes')]);
    expect(readdirSync(outDir)).toEqual(['import-key-material.json']);
  });

  it('refuses a wrapping key size the provider does not issue', async () => {
    const gcp = paramsFixture('gcp-import-job.json', { spki, validTo: hours(5) });
    await expectRefusal({ paramsText: gcp, spec: 'AES_256' }, 'WRAPPING_KEY_MISMATCH');
  });

  it('refuses an algorithm the provider does not accept for the spec', async () => {
    await expectRefusal({ paramsText: paramsFixture('aws-cli.json', { spki, validTo: hours(5) }), spec: 'RSA_2048', algorithm: 'RSAES_OAEP_SHA_256' }, 'ALGORITHM_NOT_ACCEPTED', /RSA_AES_KEY_WRAP_SHA_1/);
  });

  it('refuses a spec the provider does not import', async () => {
    await expectRefusal({ paramsText: paramsFixture('huawei.json', { spki, validTo: hours(5) }), spec: 'HMAC_256' }, 'SPEC_NOT_ACCEPTED');
  });

  it('refuses when no algorithm can be determined', async () => {
    await expectRefusal({ paramsText: paramsFixture('aws-cli.json', { spki, validTo: hours(5) }), spec: 'AES_256' }, 'INVALID_ARGUMENT', /pass --algorithm/);
  });

  it('refuses malformed JSON, base64 and DER', async () => {
    const good = paramsFixture('huawei.json', { spki, validTo: hours(5) });
    await expectRefusal({ paramsText: good.slice(0, -3), spec: 'AES_256' }, 'PARAMS_MALFORMED');
    await expectRefusal({ paramsText: good.replace(/"public_key": "[^"]+"/, '"public_key": "%%%"'), spec: 'AES_256' }, 'PARAMS_MALFORMED', /public_key/);
    await expectRefusal({ paramsText: good.replace(/"public_key": "[^"]+"/, '"public_key": "AAAA"'), spec: 'AES_256' }, 'PARAMS_MALFORMED', /DER/);
  });

  it('refuses an unknown provider shape', async () => {
    await expectRefusal({ paramsText: '{"wrappingKey": "AAAA"}', spec: 'AES_256' }, 'PARAMS_PROVIDER_UNKNOWN');
  });

  it('refuses an invalid material expiry', async () => {
    await expectRefusal({ paramsText: paramsFixture('aws-cli.json', { spki, validTo: hours(5) }), spec: 'AES_256', algorithm: 'RSAES_OAEP_SHA_256', materialExpiry: '2028-01-01T00:00:00Z' }, 'MATERIAL_EXPIRY_INVALID');
  });

  it('refuses when an output exists and leaves the folder as it was', async () => {
    const outDir = freshOut();
    mkdirSync(outDir);
    writeFileSync(join(outDir, 'ImportToken.bin'), 'from an earlier ceremony');
    await expect(ceremony({ paramsText: paramsFixture('aws-cli.json', { spki, validTo: hours(5) }), spec: 'AES_256', algorithm: 'RSAES_OAEP_SHA_256', outDir })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readdirSync(outDir)).toEqual(['ImportToken.bin']);
  });
});
