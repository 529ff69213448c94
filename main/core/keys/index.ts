export type { KeyCheck } from './key-check.ts';
export { computeKeyCheck } from './key-check.ts';
export { formatFingerprintForReading } from './fingerprint-reading.ts';
export type { GeneratedKey, GenerateOptions } from './generated-key.ts';
export type { BatchOptions } from './generate-key.ts';
export { generateKey, generateKeyBatch } from './generate-key.ts';
export { publicKeySpkiFromPrivate } from './asymmetric-material.ts';
export { validateMaterial } from './validate-material.ts';
export { RSA_PUBLIC_EXPONENT } from './rsa-key-generation.ts';
