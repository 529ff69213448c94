// Interop with an independent implementation, through the public `byok` command: for every provider,
// every spec it accepts and every algorithm it accepts for that spec, openssl makes the wrapping key
// pair, `byok wrap` wraps, openssl unwraps, and the KCV / fingerprint openssl computes from the
// unwrapped material must equal the one byok reported at generation.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_SPECS, type KeySpecName } from '../../../shared/key-specs.ts';
import { PROVIDER_IDS, PROVIDERS, acceptedAlgorithms, acceptedSpecs, type ProviderId, type WrappingAlgorithm } from '../../../shared/providers.ts';
import { runByok, tempDir, usePrivateKeyring } from '../../support/byok-cli.ts';
import { opensslAesKeyUnwrapPad, opensslFingerprint, opensslKcv, opensslRsaDecrypt, opensslWrappingKeyPair } from '../../support/openssl.ts';
import { providerParamsFile } from '../../support/provider-params.ts';

// This file writes many keychain items: it gets a Secret Service of its own.
usePrivateKeyring();


const work = tempDir('interop');
const vault = join(work.path, 'vault');
const generated = new Map<KeySpecName, { id: string; check: string }>();
const wrappingKeys = new Map<number, { privatePem: string; publicDer: Buffer }>();

function wrappingKey(bits: number) {
  let pair = wrappingKeys.get(bits);
  if (!pair) {
    pair = opensslWrappingKeyPair(work.path, bits);
    wrappingKeys.set(bits, pair);
  }
  return pair;
}

/** The smallest wrapping key the provider takes (GCP: the method names the size). */
function wrappingBits(provider: ProviderId): number {
  return Number(PROVIDERS[provider].wrappingKeySpecs[0]!.slice(4));
}

function gcpMethod(algorithm: WrappingAlgorithm, bits: number): string {
  if (algorithm === 'RSAES_OAEP_SHA_256') return `RSA_OAEP_${bits}_SHA256`;
  return `RSA_OAEP_${bits}_${algorithm === 'RSA_AES_KEY_WRAP_SHA_1' ? 'SHA1' : 'SHA256'}_AES_256`;
}

interface Case {
  provider: ProviderId;
  spec: KeySpecName;
  algorithm: WrappingAlgorithm;
}
const cases: Case[] = PROVIDER_IDS.flatMap((provider) => acceptedSpecs(provider).flatMap((spec) => acceptedAlgorithms(provider, spec).map((algorithm) => ({ provider, spec, algorithm }))));
const specsNeeded = [...new Set(cases.map((entry) => entry.spec))];

beforeAll(async () => {
  for (const spec of specsNeeded) {
    const run = await runByok(['--json', 'keys', 'generate', '--spec', spec, '--alias', `interop-${spec}`], { vault });
    expect(run.code, run.stderr).toBe(0);
    const key = run.json.keys[0];
    generated.set(spec, { id: key.id, check: key.kcv ?? key.fingerprint });
  }
}, 240_000);

afterAll(() => work.remove());

function unwrap(testCase: Case, outDir: string, privatePem: string, bits: number): Buffer {
  const facts = { hash: testCase.algorithm.endsWith('SHA_1') ? 'oaep-sha1' : testCase.algorithm === 'RSAES_PKCS1_V1_5' ? 'pkcs1' : 'oaep-sha256' } as const;
  const rsaBytes = bits / 8;
  let blob: Buffer;
  let split: { rsa: Buffer; kwp: Buffer } | undefined;
  switch (testCase.provider) {
    case 'aws':
      blob = readFileSync(join(outDir, 'EncryptedKeyMaterial.bin'));
      break;
    case 'gcp':
      blob = readFileSync(join(outDir, 'wrapped_key.bin'));
      break;
    case 'tencent':
      blob = Buffer.from(JSON.parse(readFileSync(join(outDir, 'ImportKeyMaterial.json'), 'utf8')).EncryptedKeyMaterial, 'base64');
      break;
    case 'huawei': {
      const body = JSON.parse(readFileSync(join(outDir, 'import-key-material.json'), 'utf8'));
      blob = Buffer.from(body.encrypted_key_material, 'base64');
      if (body.encrypted_privatekey) split = { rsa: blob, kwp: Buffer.from(body.encrypted_privatekey, 'base64') };
      break;
    }
    case 'azure': {
      const byok = JSON.parse(readFileSync(join(outDir, `interop-${testCase.spec}.byok`), 'utf8'));
      expect(byok.header.enc).toBe('CKM_RSA_AES_KEY_WRAP');
      blob = Buffer.from(byok.ciphertext, 'base64url');
      break;
    }
  }
  if (split) return opensslAesKeyUnwrapPad(opensslRsaDecrypt(privatePem, split.rsa, facts.hash), split.kwp);
  if (testCase.algorithm.startsWith('RSA_AES_KEY_WRAP')) {
    expect(blob.length).toBeGreaterThan(rsaBytes);
    const aesKey = opensslRsaDecrypt(privatePem, blob.subarray(0, rsaBytes), facts.hash);
    expect(aesKey.length).toBe(32);
    return opensslAesKeyUnwrapPad(aesKey, blob.subarray(rsaBytes));
  }
  expect(blob.length).toBe(rsaBytes);
  return opensslRsaDecrypt(privatePem, blob, facts.hash);
}

describe('byok wrap interoperates with openssl', () => {
  it('covers every provider, accepted spec and accepted algorithm', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((entry) => entry.provider))).toEqual(new Set(PROVIDER_IDS));
  });

  it.each(cases)('$provider $spec $algorithm: openssl unwraps the material byok reported', async (testCase) => {
    const bits = wrappingBits(testCase.provider);
    const { privatePem, publicDer } = wrappingKey(bits);
    const name = `${testCase.provider}-${testCase.spec}-${testCase.algorithm}`;
    const paramsPath = join(work.path, `${name}.json`);
    writeFileSync(paramsPath, providerParamsFile({ provider: testCase.provider, publicDer, validTo: new Date(Date.now() + 6 * 3600_000), method: gcpMethod(testCase.algorithm, bits) }));
    const outDir = join(work.path, `out-${name}`);
    const key = generated.get(testCase.spec)!;
    const algorithmArgs = testCase.provider === 'gcp' ? [] : ['--algorithm', testCase.algorithm];
    const run = await runByok(['--json', 'wrap', '--key', key.id, '--params', paramsPath, ...algorithmArgs, '--out', outDir], { vault });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.algorithm).toBe(testCase.algorithm);

    const material = unwrap(testCase, outDir, privatePem, bits);
    const spec = KEY_SPECS[testCase.spec];
    const opensslCheck = spec.kind === 'symmetric' ? opensslKcv(testCase.spec, material, work.path) : opensslFingerprint(material, work.path);
    material.fill(0);
    expect(opensslCheck).toBe(key.check);
    expect(run.json.kcv ?? run.json.fingerprint).toBe(key.check);

  });

  it.each(PROVIDER_IDS)('%s: the bundle written beside the provider files verifies with `byok bundle verify`', async (provider) => {
    const testCase = cases.find((entry) => entry.provider === provider)!;
    const outDir = join(work.path, `out-${testCase.provider}-${testCase.spec}-${testCase.algorithm}`);
    const verify = await runByok(['--json', 'bundle', 'verify', join(outDir, 'bundle.json')], { vault });
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.json).toMatchObject({ valid: true, keyId: generated.get(testCase.spec)!.id, provider, algorithm: testCase.algorithm, signedByThisVault: true });
  });
});
