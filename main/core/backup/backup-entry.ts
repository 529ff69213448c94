// What one key's backup holds, and the check function the keys module provides (injected, so this
// folder does not depend on how KCVs and fingerprints are computed).
import type { KeySpecName } from '../../../shared/key-specs.ts';

export interface BackupCheck {
  /** `kcv` for symmetric keys (6 upper-case hex), `fingerprint` for RSA/EC (SHA-256 of the SPKI). */
  kind: 'kcv' | 'fingerprint';
  value: string;
}

export interface BackupEntry {
  keyId: string;
  /** Null for a key generated without an alias. */
  alias: string | null;
  spec: KeySpecName;
  check: BackupCheck;
  /** ISO-8601 UTC: when the key was generated. */
  createdAt: string;
  /** Raw symmetric bytes or PKCS#8 DER. */
  material: Uint8Array;
}

export type BackupEntryMetadata = Omit<BackupEntry, 'material'>;

export type ComputeCheck = (spec: KeySpecName, material: Uint8Array) => BackupCheck;

export function sameCheck(a: BackupCheck, b: BackupCheck): boolean {
  return a.kind === b.kind && a.value.toUpperCase() === b.value.toUpperCase();
}
