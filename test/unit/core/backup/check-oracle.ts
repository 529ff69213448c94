// A check function for tests, independent of main/core/keys (injected where the product injects
// computeKeyCheck): AES-ECB of a zero block for AES keys, HMAC of a zero block for HMAC keys, and the
// SHA-256 of the DER SubjectPublicKeyInfo for RSA/EC keys. Any deterministic function of the material
// serves: the backup code only compares what it is given.
import { createCipheriv, createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { KEY_SPECS, type KeySpecName } from '../../../../shared/key-specs.ts';
import type { BackupCheck, BackupEntry } from '../../../../main/core/backup/index.ts';

export function testCheck(spec: KeySpecName, material: Uint8Array): BackupCheck {
  const keySpec = KEY_SPECS[spec];
  if (keySpec.kind === 'asymmetric') {
    const spki = createPublicKey(createPrivateKey({ key: Buffer.from(material), format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
    return { kind: 'fingerprint', value: createHash('sha256').update(spki).digest('hex') };
  }
  const zero = Buffer.alloc(16);
  const block =
    keySpec.family === 'HMAC'
      ? createHmac(keySpec.hash ?? 'sha256', material).update(zero).digest()
      : createCipheriv(material.length === 32 ? 'aes-256-ecb' : 'aes-128-ecb', material, null).setAutoPadding(false).update(zero);
  return { kind: 'kcv', value: block.subarray(0, 3).toString('hex').toUpperCase() };
}

export function aesEntry(spec: 'AES_128' | 'AES_256' = 'AES_256', alias = 'payments'): BackupEntry {
  const material = new Uint8Array(randomBytes(spec === 'AES_256' ? 32 : 16));
  return { keyId: randomUUID(), alias, spec, check: testCheck(spec, material), createdAt: '2026-11-25T10:00:00Z', material };
}

const generate = promisify(generateKeyPair);

export async function rsaEntry(bits: 2048 | 4096 = 4096): Promise<BackupEntry> {
  const { privateKey } = await generate('rsa', { modulusLength: bits });
  const material = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  const spec = bits === 4096 ? 'RSA_4096' : 'RSA_2048';
  return { keyId: randomUUID(), alias: `signing-${bits}`, spec, check: testCheck(spec, material), createdAt: '2026-11-25T10:00:00Z', material };
}

/** A copy that outlives the zeroing of the original. */
export function copyEntry(entry: BackupEntry): BackupEntry {
  return { ...entry, check: { ...entry.check }, material: entry.material.slice() };
}
