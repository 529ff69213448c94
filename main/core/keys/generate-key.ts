// Key generation for every spec in the table. Key material comes only from the entropy module (or, for
// RSA, from the crypto library's generator after a health-tested sample of it, see rsa-key-generation.ts).
import { ByokError } from '../../../shared/errors.ts';
import { KEY_SPECS, isKeySpecName, type KeySpec, type KeySpecName } from '../../../shared/key-specs.ts';
import { drawKeyMaterial } from '../entropy/index.ts';
import { generateEcKey } from './ec-key-generation.ts';
import type { GeneratedKey, GenerateOptions } from './generated-key.ts';
import { computeKeyCheck } from './key-check.ts';
import { generateRsaKey } from './rsa-key-generation.ts';

type Generator = (specName: KeySpecName, spec: KeySpec, options: GenerateOptions) => Promise<GeneratedKey> | GeneratedKey;

function generateSymmetricKey(specName: KeySpecName, spec: KeySpec, options: GenerateOptions): GeneratedKey {
  if (spec.kind !== 'symmetric') throw new Error('unreachable: symmetric generator for an asymmetric spec');
  const { material, evidence } = drawKeyMaterial(spec.bytes, options);
  try {
    return { spec: specName, material, check: computeKeyCheck(specName, material), entropy: evidence };
  } catch (error) {
    material.fill(0);
    throw error;
  }
}

const GENERATORS: Readonly<Record<KeySpec['family'], Generator>> = Object.freeze({
  AES: generateSymmetricKey,
  SM4: generateSymmetricKey,
  HMAC: generateSymmetricKey,
  EC: (specName, spec, options) => generateEcKey(specName, spec as Extract<KeySpec, { kind: 'asymmetric' }>, options),
  RSA: (specName, spec, options) => generateRsaKey(specName, spec as Extract<KeySpec, { kind: 'asymmetric' }>, options),
});

export async function generateKey(spec: KeySpecName, options: GenerateOptions = {}): Promise<GeneratedKey> {
  if (!isKeySpecName(spec)) {
    throw new ByokError('KEY_SPEC_INVALID', `Unknown key spec ${String(spec)}. Use one of: ${Object.keys(KEY_SPECS).join(', ')}.`);
  }
  const details = KEY_SPECS[spec];
  return GENERATORS[details.family](spec, details, options);
}
