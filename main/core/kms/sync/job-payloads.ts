// The persistent jobs of the outbound queue (vault table sync_jobs), their payloads and idempotency keys.
// Payloads hold only what may sit in the database: remote ids, wrapped (encrypted) material, import
// tokens, expiries. Never plaintext material or credentials.
import type { KeySpecName } from '../../../../shared/key-specs.ts';
import type { WrappingAlgorithm } from '../../../../shared/providers.ts';

export const JOB_KINDS = ['import', 'fetch-params', 'delete-material'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export type WrappedFields = { ciphertext: string } | { encryptedKeyMaterial: string; encryptedPrivateKey: string };

/** Import wrapped material (from a bundle, or wrapped here for a renewal). */
export interface ImportPayload {
  [field: string]: unknown;
  remoteKeyId: string;
  spec: KeySpecName;
  check: { kind: 'kcv' | 'fingerprint'; value: string };
  algorithm: WrappingAlgorithm;
  wrapped: WrappedFields;
  /** The import token as the provider sent it (base64). */
  importToken: string;
  parametersValidTo: string | null;
  materialExpiry: string | null;
  source: 'bundle' | 'renewal';
  bundleSha256?: string;
  /** The idempotency key of the fetch-params job that wrapped this renewal (which renewal attempt it is). */
  renewalOf?: string;
}

/** Fetch fresh parameters, wrap this key's backup with them, and queue the import (renewal here). */
export interface FetchParamsPayload {
  [field: string]: unknown;
  remoteKeyId: string;
  algorithm: WrappingAlgorithm;
  materialExpiry: string | null;
  reason: 'renewal' | 'import';
}

export interface DeleteMaterialPayload {
  [field: string]: unknown;
  remoteKeyId: string;
}

export const idempotencyKeys = {
  /** The same wrapped material for the same remote key is one import, however often it is queued. */
  import: (providerName: string, remoteKeyId: string, wrappedSha256: string) => `import:${providerName}:${remoteKeyId}:${wrappedSha256}`,
  /**
   * One renewal per expiry cycle of a key: the cycle is named by the import being renewed. A cycle whose
   * attempt failed for good (its import refused: token expired, replaced, ...) gets a further attempt,
   * numbered from 2, with fresh parameters; attempt 1 keeps the original key (vaults written before).
   */
  renewal: (providerName: string, keyId: string, cycle: string, attempt = 1) => `renew:${providerName}:${keyId}:${cycle}${attempt > 1 ? `:attempt-${attempt}` : ''}`,
  deleteMaterial: (providerName: string, remoteKeyId: string, requestedAt: string) => `delete:${providerName}:${remoteKeyId}:${requestedAt}`,
};
