// Key generation for every spec in the table. Key material comes only from the entropy module (or, for
// RSA, from the crypto library's generator after a health-tested sample of it, see rsa-key-generation.ts).
import { ByokError } from '../../../shared/errors.ts';
import { KEY_SPECS, isKeySpecName, type KeySpec, type KeySpecName } from '../../../shared/key-specs.ts';
import { drawKeyMaterial, drawKeyMaterials } from '../entropy/index.ts';
import { zeroize } from '../secret.ts';
import { generateEcKey } from './ec-key-generation.ts';
import type { GeneratedKey, GenerateOptions } from './generated-key.ts';
import { computeKeyCheck } from './key-check.ts';
import { generateRsaKey } from './rsa-key-generation.ts';
import { yieldToEventLoop } from '../yield.ts';

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

export interface BatchOptions extends GenerateOptions {
  /** Called as each key is ready, with how many are. */
  onGenerated?: (done: number) => void;
}

/**
 * `count` keys of one spec. Symmetric keys come from ONE health-tested OS draw shared by the batch, each
 * from its own segment (drawKeyMaterials); RSA and EC keys are generated one by one. `samplesTested`
 * counts every health-tested OS sample once. On failure no material is left: what was made is zeroed.
 */
export async function generateKeyBatch(spec: KeySpecName, count: number, options: BatchOptions = {}): Promise<{ keys: GeneratedKey[]; samplesTested: number }> {
  if (!isKeySpecName(spec)) {
    throw new ByokError('KEY_SPEC_INVALID', `Unknown key spec ${String(spec)}. Use one of: ${Object.keys(KEY_SPECS).join(', ')}.`);
  }
  const { onGenerated, ...generateOptions } = options;
  const details = KEY_SPECS[spec];
  const keys: GeneratedKey[] = [];
  try {
    if (details.kind === 'symmetric') {
      const drawn = drawKeyMaterials(details.bytes, count, generateOptions);
      try {
        // A batch's draw and its KCVs are some 20 ms of CPU at a thousand keys: let started I/O move between them.
        await yieldToEventLoop();
        for (const { material, evidence } of drawn.keys) {
          keys.push({ spec, material, check: computeKeyCheck(spec, material), entropy: evidence });
          onGenerated?.(keys.length);
        }
      } finally {
        for (const { material } of drawn.keys.slice(keys.length)) zeroize(material);
      }
      return { keys, samplesTested: drawn.health.samples };
    }
    for (let index = 0; index < count; index++) {
      keys.push(await GENERATORS[details.family](spec, details, generateOptions));
      onGenerated?.(keys.length);
    }
    return { keys, samplesTested: keys.reduce((sum, key) => sum + key.entropy.health.samples, 0) };
  } catch (error) {
    for (const key of keys) zeroize(key.material);
    throw error;
  }
}
