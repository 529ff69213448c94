// Every refusal of `byok wrap` / `byok keys generate` through the public command: a typed error on
// stderr and in --json, a non-zero exit, and nothing written.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runByok, tempDir, usePrivateKeyring } from '../../support/byok-cli.ts';
import { providerParamsFile } from '../../support/provider-params.ts';

// This file writes many keychain items: it gets a Secret Service of its own.
usePrivateKeyring();


const work = tempDir('refusals');
const vault = join(work.path, 'vault');
let aesKeyId = '';
let rsaKeyId = '';
const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' });
const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });

function params(name: string, text: string): string {
  const path = join(work.path, name);
  writeFileSync(path, text);
  return path;
}

function hours(n: number): Date {
  return new Date(Date.now() + n * 3600_000);
}

beforeAll(async () => {
  const aes = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'refusal-aes'], { vault });
  expect(aes.code, aes.stderr).toBe(0);
  aesKeyId = aes.json.keys[0].id;
  const rsa = await runByok(['--json', 'keys', 'generate', '--spec', 'RSA_2048', '--alias', 'refusal-rsa'], { vault });
  expect(rsa.code, rsa.stderr).toBe(0);
  rsaKeyId = rsa.json.keys[0].id;
}, 120_000);

afterAll(() => work.remove());

async function expectRefusal(args: string[], code: string, outDir: string, preexisting: string[] = []) {
  const run = await runByok(['--json', ...args], { vault });
  expect(run.code).not.toBe(0);
  expect(run.json?.error?.code, run.stdout + run.stderr).toBe(code);
  expect(run.stderr).toContain('byok: ');
  expect(run.json.error.message.length).toBeGreaterThan(20);
  const left = existsSync(outDir) ? readdirSync(outDir).sort() : [];
  expect(left).toEqual(preexisting.sort());
  return run;
}

describe('byok wrap refuses before touching material', () => {
  it('refuses parameters past their validity and shows the deadline with its time zone', async () => {
    const path = params('expired.json', providerParamsFile({ provider: 'aws', publicDer: rsa2048, validTo: hours(-1) }));
    const out = join(work.path, 'out-expired');
    const run = await expectRefusal(['wrap', '--key', aesKeyId, '--params', path, '--algorithm', 'RSAES_OAEP_SHA_256', '--out', out], 'PARAMS_EXPIRED', out);
    expect(run.json.error.message).toMatch(/UTC|Z\b/);
  });

  it('warns when under an hour is left but still wraps', async () => {
    const path = params('soon.json', providerParamsFile({ provider: 'aws', publicDer: rsa2048, validTo: new Date(Date.now() + 20 * 60_000) }));
    const out = join(work.path, 'out-soon');
    const run = await runByok(['--json', 'wrap', '--key', aesKeyId, '--params', path, '--algorithm', 'RSAES_OAEP_SHA_256', '--out', out], { vault });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.warnings.join(' ')).toMatch(/minute/);
  });

  it('refuses an algorithm the provider does not accept for the spec (RSA private keys on AWS need RSA_AES)', async () => {
    const path = params('aws-rsa.json', providerParamsFile({ provider: 'aws', publicDer: rsa2048, validTo: hours(6) }));
    const out = join(work.path, 'out-alg');
    const run = await expectRefusal(['wrap', '--key', rsaKeyId, '--params', path, '--algorithm', 'RSAES_OAEP_SHA_256', '--out', out], 'ALGORITHM_NOT_ACCEPTED', out);
    expect(run.json.error.message).toContain('RSA_AES_KEY_WRAP_SHA_256');
  });

  it('refuses a spec the provider does not import (Tencent takes symmetric keys only)', async () => {
    const path = params('tencent.json', providerParamsFile({ provider: 'tencent', publicDer: rsa2048, validTo: hours(6) }));
    const out = join(work.path, 'out-spec');
    await expectRefusal(['wrap', '--key', rsaKeyId, '--params', path, '--algorithm', 'RSAES_OAEP_SHA_256', '--out', out], 'SPEC_NOT_ACCEPTED', out);
  });

  it('refuses a wrapping key whose type does not match (an EC key where RSA is required)', async () => {
    const path = params('ec-wrapping.json', providerParamsFile({ provider: 'aws', publicDer: ec256, validTo: hours(6) }));
    const out = join(work.path, 'out-ec');
    await expectRefusal(['wrap', '--key', aesKeyId, '--params', path, '--algorithm', 'RSAES_OAEP_SHA_256', '--out', out], 'WRAPPING_KEY_MISMATCH', out);
  });

  it('refuses malformed JSON and malformed base64', async () => {
    const out = join(work.path, 'out-malformed');
    await expectRefusal(['wrap', '--key', aesKeyId, '--params', params('bad.json', '{"KeyId": '), '--algorithm', 'RSAES_OAEP_SHA_256', '--out', out], 'PARAMS_MALFORMED', out);
    const badBase64 = JSON.stringify({ KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/x', ImportToken: 'AAAA', PublicKey: '!!!not base64!!!', ParametersValidTo: hours(6).toISOString() });
    await expectRefusal(['wrap', '--key', aesKeyId, '--params', params('bad64.json', badBase64), '--algorithm', 'RSAES_OAEP_SHA_256', '--out', out], 'PARAMS_MALFORMED', out);
  });

  it('refuses a file from no known provider', async () => {
    const out = join(work.path, 'out-unknown');
    await expectRefusal(['wrap', '--key', aesKeyId, '--params', params('unknown.json', '{"hello":"world"}'), '--out', out], 'PARAMS_PROVIDER_UNKNOWN', out);
  });

  it('never overwrites an existing output: refuses and leaves the folder as it was', async () => {
    const path = params('aws-ok.json', providerParamsFile({ provider: 'aws', publicDer: rsa2048, validTo: hours(6) }));
    const out = join(work.path, 'out-exists');
    mkdirSync(out);
    writeFileSync(join(out, 'ImportToken.bin'), 'keep me');
    await expectRefusal(['wrap', '--key', aesKeyId, '--params', path, '--algorithm', 'RSAES_OAEP_SHA_256', '--out', out], 'OUTPUT_EXISTS', out, ['ImportToken.bin']);
  });

  it('refuses a material expiry in the past', async () => {
    const path = params('aws-exp.json', providerParamsFile({ provider: 'aws', publicDer: rsa2048, validTo: hours(6) }));
    const out = join(work.path, 'out-expiry');
    await expectRefusal(['wrap', '--key', aesKeyId, '--params', path, '--algorithm', 'RSAES_OAEP_SHA_256', '--material-expiry', '2020-01-01T00:00:00Z', '--out', out], 'MATERIAL_EXPIRY_INVALID', out);
  });

  it('records each refusal in the audit log', async () => {
    const run = await runByok(['--json', 'audit', 'list'], { vault });
    expect(run.code, run.stderr).toBe(0);
    const refusals = run.json.events.filter((event: { type: string }) => event.type === 'refusal');
    expect(refusals.length).toBeGreaterThanOrEqual(6);
  });
});

describe('byok keys generate refuses', () => {
  it('refuses when no keychain is reachable, and no key record exists afterwards', async () => {
    const isolated = join(work.path, 'vault-no-keychain');
    const env = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'orphan'], { vault: isolated, env });
    expect(run.code).not.toBe(0);
    expect(run.json.error.code).toBe('KEYCHAIN_UNAVAILABLE');
    // What the binding itself said is shown too, to tell a stopped daemon from a timeout.
    expect(run.stderr).toMatch(/^byok: the keychain said: \S/m);
    const list = await runByok(['--json', 'keys', 'list'], { vault: isolated, env });
    expect(list.json?.keys ?? []).toEqual([]);
  });

  it('refuses an unknown spec and a bad alias with usage errors', async () => {
    const spec = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_512', '--alias', 'x'], { vault });
    expect(spec.json.error.code).toBe('KEY_SPEC_INVALID');
    const alias = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'has space'], { vault });
    expect(alias.json.error.code).toBe('INVALID_ARGUMENT');
    expect(alias.code).toBe(2);
    const audit = await runByok(['--json', 'audit', 'list'], { vault });
    const generationRefusals = audit.json.events.filter((event: { type: string; summary: string }) => event.type === 'refusal' && event.summary.includes('generateKeys'));
    expect(generationRefusals.map((event: { summary: string }) => event.summary).join('\n')).toMatch(/KEY_SPEC_INVALID[\s\S]*INVALID_ARGUMENT/);
  });
});
