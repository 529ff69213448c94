// The vault's record types. Timestamps are ISO-8601 UTC strings. No record holds material or credentials.
import type { KeySpecName } from '../../../shared/key-specs.ts';
import type { KeyStatus } from '../../../shared/ceremony-api.ts';
import type { ProviderId } from '../../../shared/providers.ts';

export type { KeyStatus };

/** KCV for symmetric keys (3 bytes, upper-case hex); SHA-256 of the SPKI for asymmetric keys. */
export interface KeyCheckValue {
  kind: 'kcv' | 'fingerprint';
  value: string;
}

/** The statuses of the shared contract's KeyStatus, as a list. */
export const KEY_STATUSES = ['active', 'backup-missing', 'restored'] as const satisfies readonly KeyStatus[];

export interface KeyRecord {
  id: string;
  alias: string | null;
  description: string | null;
  spec: KeySpecName;
  check: KeyCheckValue;
  createdAt: string;
  status: KeyStatus;
  /** Where the keychain backup lives (an item name), never the backup itself. */
  backupRef: string | null;
  /** What the entropy came from and its health results (JSON), never the entropy. */
  entropyEvidence: Record<string, unknown> | null;
  operator: string | null;
  batchId: string | null;
  /** When the keychain backup was last read back and its check value matched; null or absent if never. */
  backupVerifiedAt?: string | null;
}

/** The columns of a key the key table shows (KeysRepository.listSummaries). */
export type KeyListing = Pick<KeyRecord, 'id' | 'alias' | 'description' | 'spec' | 'check' | 'createdAt' | 'status' | 'backupVerifiedAt'>;

export interface KeyFilter {
  /** Matches id, alias or description (case-insensitive substring). */
  search?: string;
  spec?: string;
  status?: KeyStatus;
  batchId?: string;
}

export interface RemoteBinding {
  keyId: string;
  provider: string;
  /** '' when the provider has no regions. */
  region: string;
  remoteKeyId: string;
  state: string;
  materialExpiry: string | null;
  lastSyncedAt: string | null;
}

/** A binding as get/list return it. */
export interface RemoteBindingView extends RemoteBinding {
  /** The type of the connected provider named `provider` (providers.type), or `provider` itself when no connection by that name is recorded. */
  providerType: ProviderId;
}

export interface BundleRecord {
  id: string;
  keyId: string;
  path: string;
  provider: string;
  algorithm: string;
  createdAt: string;
  parametersValidTo: string | null;
  materialExpiry: string | null;
  sha256: string;
  /** The remote key the bundle was wrapped for; null for parameters that name none (GCP, Azure) and bundles from before it was recorded. */
  remoteKeyId?: string | null;
}

export const SYNC_JOB_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type SyncJobStatus = (typeof SYNC_JOB_STATUSES)[number];

export interface SyncJob {
  id: string;
  kind: string;
  keyId: string | null;
  provider: string;
  payload: Record<string, unknown>;
  status: SyncJobStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  /** Enqueuing the same idempotency key twice returns the first job. */
  idempotencyKey: string;
  createdAt: string;
}

export interface NewSyncJob {
  kind: string;
  keyId?: string | null;
  provider: string;
  payload: Record<string, unknown>;
  idempotencyKey: string;
  /** Defaults to now. */
  nextAttemptAt?: string;
}

/** A provider connection; its credentials live in the keychain, never here. */
export interface ProviderRecord {
  name: string;
  type: string;
  region: string | null;
  projectId: string | null;
  endpoint: string | null;
}
