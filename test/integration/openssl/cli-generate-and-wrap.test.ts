// `byok keys generate --wrap-params FILE --out DIR`: a bulk ceremony in one command. Each key is backed
// up and saved as `keys generate` does, and wrapped under one provider response; openssl unwraps every
// output and must compute the KCV / fingerprint byok reported. Every wrap refusal happens before any
// key exists.
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequestFile } from '../../../main/core/kms/request-file.ts';
import { runByok, tempDir, usePrivateKeyring } from '../../support/byok-cli.ts';
import { opensslAesKeyUnwrapPad, opensslFingerprint, opensslKcv, opensslRsaDecrypt, opensslWrappingKeyPair } from '../../support/openssl.ts';
import { providerParamsFile } from '../../support/provider-params.ts';

// This file writes many keychain items: it gets a Secret Service of its own.
usePrivateKeyring();

const work = tempDir('generate-wrap');
afterAll(() => work.remove());
const HOURS = 3600_000;

async function keyCount(vault: string): Promise<number> {
  const list = await runByok(['--json', 'keys', 'list'], { vault });
  expect(list.code, list.stderr).toBe(0);
  return list.json.keys.length;
}

describe('keys generate --wrap-params', () => {
  it('GCP import job, 12 AES-256 keys: every key is backed up, saved and wrapped, and openssl unwraps each to the reported KCV', async () => {
    const vault = join(work.path, 'vault-gcp');
    const { privatePem, publicDer } = opensslWrappingKeyPair(work.path, 3072, 'gcp');
    const params = join(work.path, 'gcp-job.json');
    writeFileSync(params, providerParamsFile({ provider: 'gcp', publicDer, validTo: new Date(Date.now() + 6 * HOURS), method: 'RSA_OAEP_3072_SHA256' }));
    const out = join(work.path, 'out-gcp');
    const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'job', '--count', '12', '--wrap-params', params, '--out', out], { vault });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ provider: 'gcp', algorithm: 'RSAES_OAEP_SHA_256' });
    expect(run.json.keys).toHaveLength(12);
    expect(readdirSync(out).sort()).toEqual(run.json.keys.map((key: { alias: string }) => key.alias).sort());
    for (const key of run.json.keys) {
      expect(key.files.map((file: { name: string }) => file.name).sort()).toEqual(['bundle.json', 'wrapped_key.bin']);
      const material = opensslRsaDecrypt(privatePem, readFileSync(join(out, key.alias, 'wrapped_key.bin')), 'oaep-sha256');
      expect(material).toHaveLength(32);
      expect(opensslKcv('AES_256', material, work.path)).toBe(key.kcv);
      material.fill(0);
      const verify = await runByok(['--json', 'bundle', 'verify', join(out, key.alias, 'bundle.json')], { vault });
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.json).toMatchObject({ valid: true, keyId: key.id, provider: 'gcp', signedByThisVault: true });
    }
    const backups = await runByok(['--json', 'backup', 'verify', '--all'], { vault });
    expect(backups.code, backups.stderr).toBe(0);
    expect(backups.json.verified).toBe(12);
    const audit = await runByok(['--json', 'audit', 'verify'], { vault });
    expect(audit.code, audit.stderr).toBe(0);
    const events = await runByok(['--json', 'audit', 'list'], { vault });
    const bundleEvents = events.json.events.filter((event: { type: string }) => event.type === 'bundle.written');
    expect(bundleEvents).toHaveLength(12);
  }, 120_000);

  it('Azure key-exchange key, EC_P256 with RSA_AES_KEY_WRAP_SHA_1: the two-step output unwraps to the reported fingerprint', async () => {
    const vault = join(work.path, 'vault-azure');
    const { privatePem, publicDer } = opensslWrappingKeyPair(work.path, 2048, 'azure');
    const params = join(work.path, 'azure-kek.json');
    writeFileSync(params, providerParamsFile({ provider: 'azure', publicDer, validTo: new Date(Date.now() + 6 * HOURS) }));
    const out = join(work.path, 'out-azure');
    const run = await runByok(['--json', 'keys', 'generate', '--spec', 'EC_P256', '--alias', 'signing', '--count', '2', '--wrap-params', params, '--algorithm', 'RSA_AES_KEY_WRAP_SHA_1', '--out', out], { vault });
    expect(run.code, run.stderr).toBe(0);
    for (const key of run.json.keys) {
      const byok = JSON.parse(readFileSync(join(out, key.alias, `${key.alias}.byok`), 'utf8'));
      const blob = Buffer.from(byok.ciphertext, 'base64url');
      const aesKey = opensslRsaDecrypt(privatePem, blob.subarray(0, 256), 'oaep-sha1');
      const pkcs8 = opensslAesKeyUnwrapPad(aesKey, blob.subarray(256));
      expect(opensslFingerprint(pkcs8, work.path)).toBe(key.fingerprint);
      pkcs8.fill(0);
    }
  }, 120_000);

  it('refuses before generating anything: expired parameters, a request file, an output that exists, an algorithm the provider refuses', async () => {
    const vault = join(work.path, 'vault-refusals');
    const { publicDer } = opensslWrappingKeyPair(work.path, 2048, 'refusals');
    const expired = join(work.path, 'expired.json');
    writeFileSync(expired, providerParamsFile({ provider: 'aws', publicDer, validTo: new Date(Date.now() - HOURS) }));
    const valid = join(work.path, 'aws.json');
    writeFileSync(valid, providerParamsFile({ provider: 'aws', publicDer, validTo: new Date(Date.now() + 6 * HOURS) }));
    const requestFile = join(work.path, 'request.json');
    writeFileSync(requestFile, encodeRequestFile([{ keyId: '0b7a2f0e-1c55-4d8e-9f1a-2b3c4d5e6f70', provider: 'aws', providerName: 'aws-prod', remoteKeyId: 'k', responseText: readFileSync(valid, 'utf8') }]));
    // One provider response for many new keys: an Azure key-exchange key (AWS parameters name one remote key).
    const azure = join(work.path, 'azure-kek.json');
    writeFileSync(azure, providerParamsFile({ provider: 'azure', publicDer, validTo: new Date(Date.now() + 6 * HOURS) }));
    const taken = join(work.path, 'out-taken');
    mkdirSync(join(taken, 'bulk-2'), { recursive: true });
    writeFileSync(join(taken, 'bulk-2', 'bulk-2.byok'), 'already here');
    const fileAsFolder = join(work.path, 'out-file');
    mkdirSync(fileAsFolder);
    writeFileSync(join(fileAsFolder, 'bulk-3'), 'a file where a folder would go');

    const attempts: Array<{ args: string[]; code: string; mentions: RegExp }> = [
      { args: ['--wrap-params', expired, '--algorithm', 'RSAES_OAEP_SHA_256', '--out', join(work.path, 'o1')], code: 'PARAMS_EXPIRED', mentions: /expired/i },
      { args: ['--wrap-params', requestFile, '--out', join(work.path, 'o2')], code: 'INVALID_ARGUMENT', mentions: /request file/ },
      { args: ['--wrap-params', valid, '--algorithm', 'RSAES_OAEP_SHA_256', '--out', join(work.path, 'o5')], code: 'PARAMS_KEY_MISMATCH', mentions: /one remote key/ },
      { args: ['--wrap-params', azure, '--out', taken], code: 'OUTPUT_EXISTS', mentions: /bulk-2\.byok/ },
      { args: ['--wrap-params', valid, '--algorithm', 'RSAES_PKCS1_V1_5', '--out', join(work.path, 'o3')], code: 'ALGORITHM_NOT_ACCEPTED', mentions: /RSAES_PKCS1_V1_5/ },
      { args: ['--wrap-params', azure, '--out', fileAsFolder], code: 'OUTPUT_EXISTS', mentions: /is a file, not a folder/ },
      { args: ['--wrap-params', azure, '--out', join(fileAsFolder, 'bulk-3', 'deeper')], code: 'OUTPUT_EXISTS', mentions: /is a file, not a folder/ },
      { args: ['--out', join(work.path, 'o4')], code: 'INVALID_ARGUMENT', mentions: /--wrap-params/ },
      { args: ['--wrap-params', valid], code: 'INVALID_ARGUMENT', mentions: /--out/ },
    ];
    for (const attempt of attempts) {
      const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'bulk', '--count', '3', ...attempt.args], { vault });
      expect(run.code, `${attempt.args.join(' ')}\n${run.stderr}`).not.toBe(0);
      expect(run.json.error.code).toBe(attempt.code);
      expect(run.json.error.message).toMatch(attempt.mentions);
    }
    expect(await keyCount(vault)).toBe(0);
    for (const folder of ['o1', 'o2', 'o3', 'o4', 'o5']) expect(existsSync(join(work.path, folder))).toBe(false);
    expect(readdirSync(join(taken, 'bulk-2'))).toEqual(['bulk-2.byok']);
    expect(readdirSync(fileAsFolder)).toEqual(['bulk-3']);
  }, 120_000);

  it('keeps the keys and records the outputs already written when a later key\'s outputs cannot be written', async () => {
    const vault = join(work.path, 'vault-partial');
    const { publicDer } = opensslWrappingKeyPair(work.path, 3072, 'partial');
    const params = join(work.path, 'partial-job.json');
    writeFileSync(params, providerParamsFile({ provider: 'gcp', publicDer, validTo: new Date(Date.now() + 6 * HOURS), method: 'RSA_OAEP_3072_SHA256' }));
    const out = join(work.path, 'out-partial');
    mkdirSync(out);
    // Key 3's folder is one nothing can be created in, not even by root: its outputs fail mid-run.
    symlinkSync('/proc/self/fdinfo', join(out, 'p-3'));
    const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'p', '--count', '4', '--wrap-params', params, '--out', out], { vault });
    expect(run.code).not.toBe(0);
    expect(run.json.error.code).toBe('STORAGE_FAILED');
    expect(run.json.error.message).toMatch(/^4 key\(s\) were generated, backed up and saved\. Writing the outputs of the last batch failed/);
    expect(run.json.error.message).toMatch(/outputs of 2 of 4 key\(s\) were written and recorded/);
    expect(await keyCount(vault)).toBe(4);
    const backups = await runByok(['--json', 'backup', 'verify', '--all'], { vault });
    expect(backups.json.verified).toBe(4);
    const events = await runByok(['--json', 'audit', 'list'], { vault });
    expect(events.json.events.filter((event: { type: string }) => event.type === 'bundle.written')).toHaveLength(2);
    for (const alias of ['p-1', 'p-2']) {
      const verify = await runByok(['--json', 'bundle', 'verify', join(out, alias, 'bundle.json')], { vault });
      expect(verify.code, verify.stderr).toBe(0);
    }
    expect(existsSync(join(out, 'p-4'))).toBe(false);
  }, 120_000);
});
