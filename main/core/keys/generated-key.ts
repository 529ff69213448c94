import type { KeySpecName } from '../../../shared/key-specs.ts';
import type { EntropyEvidence, OperatorEntropy, RandomSource } from '../entropy/index.ts';
import type { KeyCheck } from './key-check.ts';

export interface GeneratedKey {
  spec: KeySpecName;
  /** Raw bytes for symmetric keys, PKCS#8 DER for RSA and EC. Secret: the owner zeroes it when done. */
  material: Uint8Array;
  check: KeyCheck;
  /** DER SubjectPublicKeyInfo, for RSA and EC keys. */
  publicKeySpki?: Uint8Array;
  entropy: EntropyEvidence;
}

export interface GenerateOptions {
  operatorEntropy?: OperatorEntropy[];
  source?: RandomSource;
}
