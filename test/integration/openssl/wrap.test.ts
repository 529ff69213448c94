// The openssl CLI as an independent unwrapper: wrapping keys come from `openssl genpkey`, our code
// reads provider-shaped parameters, checks and wraps, writes the provider-native files, and openssl
// (pkeyutl for RSA, `enc -id-aes256-wrap-pad` for RFC 5649) must recover the exact material.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEY_SPECS, type KeySpecName } from '../../../shared/key-specs.ts';
import {
  GCP_IMPORT_METHODS,
  PROVIDERS,
  PROVIDER_IDS,
  WRAPPING_ALGORITHM_FACTS,
  acceptedAlgorithms,
  acceptedSpecs,
  outputLayout,
  type ProviderId,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from '../../../shared/providers.ts';
import { checkWrapRequest, parseImportParameters, providerNativeFiles, wrapMaterial, type OutputFile } from '../../../main/core/wrap/index.ts';
import { paramsFixture } from '../../unit/core/wrap/support.ts';

const work = mkdtempSync(join(tmpdir(), 'byok-openssl-wrap-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const openssl = (...args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });

interface OpensslKey {
  privatePem: string;
  spki: Uint8Array;
  bytes: number;
}

const keys = new Map<WrappingKeySpec, OpensslKey>();
function opensslKey(spec: WrappingKeySpec): OpensslKey {
  const known = keys.get(spec);
  if (known) return known;
  const bits = Number(spec.slice(4));
  const privatePem = join(work, `wrapping-${bits}.pem`);
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', privatePem);
  const spki = new Uint8Array(openssl('pkey', '-in', privatePem, '-pubout', '-outform', 'DER'));
  const key = { privatePem, spki, bytes: bits / 8 };
  keys.set(spec, key);
  return key;
}

/** Material of the spec's shape: raw bytes for symmetric keys, node:crypto PKCS#8 DER for RSA/EC. */
function materialFor(spec: KeySpecName): Uint8Array {
  const facts = KEY_SPECS[spec];
  if (facts.kind === 'symmetric') return new Uint8Array(randomBytes(facts.bytes));
  const pair = facts.family === 'RSA'
    ? generateKeyPairSync('rsa', { modulusLength: facts.bits })
    : generateKeyPairSync('ec', { namedCurve: facts.namedCurve! });
  return new Uint8Array(pair.privateKey.export({ format: 'der', type: 'pkcs8' }));
}

let fileCounter = 0;
function scratch(bytes: Uint8Array): string {
  const path = join(work, `blob-${fileCounter++}.bin`);
  writeFileSync(path, bytes);
  return path;
}

function opensslRsaDecrypt(key: OpensslKey, algorithm: WrappingAlgorithm, ciphertext: Uint8Array): Uint8Array {
  const { hash } = WRAPPING_ALGORITHM_FACTS[algorithm];
  const padding = hash === null
    ? ['-pkeyopt', 'rsa_padding_mode:pkcs1']
    : ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${hash}`, '-pkeyopt', `rsa_mgf1_md:${hash}`];
  return new Uint8Array(openssl('pkeyutl', '-decrypt', '-inkey', key.privatePem, '-in', scratch(ciphertext), ...padding));
}

function opensslKwpUnwrap(aesKey: Uint8Array, wrapped: Uint8Array): Uint8Array {
  return new Uint8Array(openssl('enc', '-d', '-id-aes256-wrap-pad', '-iv', 'A65959A6', '-K', Buffer.from(aesKey).toString('hex'), '-in', scratch(wrapped)));
}

/** Pulls the wrapped material back out of the provider-native files, as the provider would read them. */
const READ_NATIVE: Record<ProviderId, (files: OutputFile[]) => { single?: Uint8Array; rsaPart?: Uint8Array; kwpPart?: Uint8Array }> = {
  aws: (files) => ({ single: files.find((file) => file.name === 'EncryptedKeyMaterial.bin')!.bytes }),
  gcp: (files) => ({ single: files.find((file) => file.name === 'wrapped_key.bin')!.bytes }),
  azure: (files) => {
    const byok = JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as { ciphertext: string };
    return { single: new Uint8Array(Buffer.from(byok.ciphertext, 'base64url')) };
  },
  tencent: (files) => {
    const body = JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as { EncryptedKeyMaterial: string };
    return { single: new Uint8Array(Buffer.from(body.EncryptedKeyMaterial, 'base64')) };
  },
  huawei: (files) => {
    const body = JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as { encrypted_key_material: string; encrypted_privatekey?: string };
    const first = new Uint8Array(Buffer.from(body.encrypted_key_material, 'base64'));
    return body.encrypted_privatekey === undefined ? { single: first } : { rsaPart: first, kwpPart: new Uint8Array(Buffer.from(body.encrypted_privatekey, 'base64')) };
  },
};

const FIXTURE: Record<ProviderId, string> = {
  aws: 'aws-cli.json',
  tencent: 'tencent-response.json',
  huawei: 'huawei.json',
  gcp: 'gcp-import-job.json',
  azure: 'azure-az-cli.json',
};

function paramsText(provider: ProviderId, key: OpensslKey, wrappingKeySpec: WrappingKeySpec, algorithm: WrappingAlgorithm): string {
  const text = paramsFixture(FIXTURE[provider], { spki: key.spki, validTo: new Date(Date.now() + 12 * 3_600_000) });
  if (provider !== 'gcp') return text;
  const method = Object.entries(GCP_IMPORT_METHODS).find(([, facts]) => facts.wrappingKeySpec === wrappingKeySpec && facts.algorithm === algorithm)![0];
  return text.replace('RSA_OAEP_3072_SHA256_AES_256', method);
}

// Every symmetric spec the provider takes, plus one RSA and one EC key.
const REPRESENTATIVE = (spec: KeySpecName): boolean => KEY_SPECS[spec].kind === 'symmetric' || spec === 'RSA_2048' || spec === 'EC_P384';

describe('wrapping interoperates with openssl', () => {
  let caseIndex = 0;
  for (const provider of PROVIDER_IDS) {
    for (const spec of acceptedSpecs(provider).filter(REPRESENTATIVE)) {
      for (const algorithm of acceptedAlgorithms(provider, spec)) {
        const sizes = PROVIDERS[provider].wrappingKeySpecs;
        const wrappingKeySpec = sizes[caseIndex++ % sizes.length]!;
        it(`${provider}: openssl recovers ${spec} wrapped with ${algorithm} under an openssl ${wrappingKeySpec} key`, () => {
          const key = opensslKey(wrappingKeySpec);
          const params = parseImportParameters(paramsText(provider, key, wrappingKeySpec, algorithm), { algorithm });
          const decision = checkWrapRequest({ params, spec, algorithm, now: new Date() });
          expect(decision.algorithm).toBe(algorithm);
          const material = materialFor(spec);
          const original = material.slice();
          const wrapped = wrapMaterial({ material, wrappingPublicKeySpki: params.wrappingPublicKeySpki, algorithm, layout: outputLayout(provider, spec) });
          const files = providerNativeFiles({ provider, params, wrapped, materialExpiry: null, alias: `openssl-${spec.toLowerCase()}` });
          const native = READ_NATIVE[provider](files);

          let recovered: Uint8Array;
          if (WRAPPING_ALGORITHM_FACTS[algorithm].scheme !== 'rsa-aes') {
            recovered = opensslRsaDecrypt(key, algorithm, native.single!);
          } else {
            // The concatenated form: the RSA part is exactly the modulus length.
            const rsaPart = native.rsaPart ?? native.single!.subarray(0, key.bytes);
            const kwpPart = native.kwpPart ?? native.single!.subarray(key.bytes);
            expect(rsaPart.length).toBe(key.bytes);
            expect(kwpPart.length).toBe(8 * Math.ceil(original.length / 8) + 8);
            recovered = opensslKwpUnwrap(opensslRsaDecrypt(key, algorithm, rsaPart), kwpPart);
          }
          expect(Buffer.from(recovered).equals(Buffer.from(original))).toBe(true);
        });
      }
    }
  }
});
