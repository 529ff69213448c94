// The use cases of the product, as one service. The CLI, the IPC handlers (the desktop app) and the
// ceremony runner all call this interface; `main/core/ceremony.ts` implements it.
//
// Everything here is what may leave the core: metadata, check values, fingerprints, file paths, progress.
// No type here has a field for key material, import tokens' secrets or credentials in a reply.
// (Requests may carry a credential or passphrase one way, into the core, to go straight to the keychain.)
import type { KeySpecName } from './key-specs.ts';
import type { ProviderId, WrappingAlgorithm } from './providers.ts';

export type CheckKind = 'kcv' | 'fingerprint';
export interface KeyCheckValue {
  kind: CheckKind;
  /** KCV: 6 upper-case hex; fingerprint: 64 lower-case hex (SHA-256 of the DER SubjectPublicKeyInfo). */
  value: string;
}

export type KeyStatus = 'active' | 'backup-missing' | 'restored';
export type RemoteState = 'PendingImport' | 'Enabled' | 'Disabled' | 'PendingDeletion' | 'Unknown';

export interface RemoteBindingSummary {
  provider: string; // the connected provider's name (see providers)
  providerType: ProviderId;
  region: string | null;
  remoteKeyId: string;
  state: RemoteState;
  materialExpiry: string | null;
  lastSyncedAt: string | null;
}

export interface KeySummary {
  id: string;
  alias: string;
  description: string | null;
  spec: KeySpecName;
  check: KeyCheckValue;
  createdAt: string;
  status: KeyStatus;
  backup: 'verified' | 'unverified' | 'missing';
  remote: RemoteBindingSummary[];
}

export interface OperatorContext {
  operator?: string;
  witnesses?: string[];
}

export interface GenerateKeysRequest extends OperatorContext {
  spec: KeySpecName;
  alias: string;
  description?: string;
  count?: number;
  /** Paths of files whose content is mixed into the OS entropy (HKDF-SHA-512). */
  entropyFiles?: string[];
  /** Dice rolls typed by the operator (digits 1-6). */
  diceRolls?: string;
  /**
   * Also wrap every new key under one provider response (e.g. a GCP import job, an Azure key-exchange
   * key): all checks run before any material exists, each key's outputs go to `outDir/<alias>`.
   */
  wrap?: GenerateWrapRequest;
}
export interface GenerateWrapRequest {
  paramsPath: string;
  algorithm?: WrappingAlgorithm;
  /** ISO-8601 or 'never'. */
  materialExpiry?: string;
  outDir: string;
}
export interface GenerateKeysReply {
  keys: Array<Pick<KeySummary, 'id' | 'alias' | 'spec' | 'check' | 'createdAt'>>;
  entropy: { sources: Array<{ kind: string; label: string; bytes: number }>; healthPassed: boolean };
  /** Present when the request asked for a wrap. */
  outputs?: { provider: ProviderId; algorithm: WrappingAlgorithm; warnings: string[]; keys: Array<{ keyId: string; files: OutputFile[] }> };
}

export interface ParamsSummary {
  provider: ProviderId;
  remoteKeyId: string | null;
  wrappingKeySpec: string;
  wrappingKeyBits: number;
  algorithm: WrappingAlgorithm | null;
  /** Per key spec, the algorithms this provider accepts with this wrapping key. */
  algorithmsAllowed: Partial<Record<KeySpecName, WrappingAlgorithm[]>>;
  parametersValidTo: string | null;
  /** Seconds left until the deadline at the time of inspection (negative when past). */
  secondsLeft: number | null;
  warnings: string[];
}

export interface WrapRequest extends OperatorContext {
  keyId: string;
  paramsPath: string;
  algorithm?: WrappingAlgorithm;
  /** ISO-8601 or 'never'. */
  materialExpiry?: string;
  outDir: string;
}
export interface OutputFile {
  name: string;
  path: string;
  sha256: string;
}
export interface WrapReply {
  files: OutputFile[];
  check: KeyCheckValue;
  provider: ProviderId;
  algorithm: WrappingAlgorithm;
  warnings: string[];
}

export interface WrapAllRequest extends OperatorContext {
  /** Our request file (from `remoteParams` / `byok remote params`) with parameters for one or many keys. */
  paramsPath: string;
  algorithm?: WrappingAlgorithm;
  /** ISO-8601 or 'never'. */
  materialExpiry?: string;
  /** Each key's outputs go to <outDir>/<alias or key id>/. */
  outDir: string;
}
export interface WrapAllReply {
  keys: Array<WrapReply & { keyId: string }>;
}

export interface BundleVerifyReply {
  valid: true;
  keyId: string;
  alias: string;
  spec: KeySpecName;
  check: KeyCheckValue;
  provider: ProviderId;
  algorithm: WrappingAlgorithm;
  signerPublicKey: string;
  signedByThisVault: boolean;
}

export interface BackupVerifyReply {
  verified: number;
  failed: Array<{ id: string; reason: string }>;
}
export interface BackupRestoreReply {
  key: Pick<KeySummary, 'id' | 'alias' | 'spec' | 'check'>;
  restoredRecord: boolean;
}
export interface VaultRebuildReply {
  recovered: Array<Pick<KeySummary, 'id' | 'alias' | 'spec' | 'check'>>;
  unrecoverable: Array<{ item: string; reason: string }>;
  /** Damaged database files moved aside (kept, never deleted) before the rebuild. */
  quarantined: string[];
}
export interface ReconciliationReport {
  backupsWithoutRecord: string[];
  recordsWithoutBackup: string[];
  /** Keychain batches that could not be read whole (names and problems; never contents). */
  damagedBatches: Array<{ batchId: string; problems: string[]; keyIds: string[] }>;
}

export interface SharesSplitRequest extends OperatorContext {
  keyId: string;
  threshold: number;
  shares: number;
  outDir: string;
  custodians?: string[];
}
export interface SharesSplitReply {
  keyId: string;
  check: KeyCheckValue;
  files: Array<{ index: number; path: string; shareCheck: string; custodian: string | null }>;
  subsetsVerified: number;
}
export interface SharesCombineReply {
  keyId: string;
  check: KeyCheckValue;
  sharesUsed: number;
  restoredToKeychain: boolean;
}

export interface EscrowWriteRequest extends OperatorContext {
  keyIds: string[];
  path: string;
  /** One-way into the core; never echoed. */
  passphrase: string;
}

export interface AuditVerifyReply {
  valid: boolean;
  events: number;
  head: string;
  problem?: { seq: number; reason: string };
  /** Losses accepted with `byok audit accept-loss`: at event `seq`, events up to `recordedSeq` of the earlier log are gone. */
  acceptedLosses?: Array<{ seq: number; recordedSeq: number }>;
}
export interface AuditEventSummary {
  seq: number;
  time: string;
  type: string;
  operator: string | null;
  witnesses: string[];
  summary: string;
}

export interface ProviderConfig {
  name: string;
  type: 'huawei' | 'tencent' | 'aws';
  region: string;
  projectId?: string;
  endpoint?: string;
}
export interface ProviderAddRequest extends ProviderConfig {
  /** One-way into the core, straight to the keychain. */
  accessKeyId: string;
  secret: string;
  sessionToken?: string;
}
export interface ProviderSummary extends ProviderConfig {
  hasCredentials: boolean;
  connected: boolean;
}

export interface SyncRequest {
  provider?: string;
  renewalWindowDays?: number;
}
export interface SyncReply {
  imported: string[];
  expiring: Array<{ id: string; materialExpiry: string }>;
  expired: string[];
  drifted: Array<{ id: string; reason: string }>;
  renewed: string[];
  renewalRequests: string[];
  pendingJobs: number;
  failedJobs: Array<{ id: string; reason: string }>;
}
export interface SyncJobSummary {
  id: string;
  kind: string;
  keyId: string | null;
  provider: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
}

export interface RemoteCreateKeyRequest extends OperatorContext {
  /** The connected provider's name (from providerAdd). */
  provider: string;
  /** The local key this remote key will hold. */
  keyId: string;
  description?: string;
}
export interface RemoteCreateKeyReply {
  keyId: string;
  provider: string;
  remoteKeyId: string;
}
export interface RemoteParamsRequest extends OperatorContext {
  provider: string;
  keyIds: string[];
  algorithm?: WrappingAlgorithm;
  /** Our request file, carried to the air-gapped machine; never overwritten. */
  out: string;
}
export interface RemoteParamsReply {
  path: string;
  keys: number;
  parametersValidTo: string | null;
  sha256: string;
}
export interface ImportBundleReply {
  keyId: string;
  provider: string;
  remoteKeyId: string;
  state: RemoteState;
  materialExpiry: string | null;
  /** How the import was proven to be the right key (public key compared, or what the provider allows). */
  proof: string;
}
export interface RenewReply {
  keyId: string;
  renewed: boolean;
  /** When this machine holds no backup of the key: the renewal request file to carry to the air-gapped one. */
  renewalRequest: string | null;
  materialExpiry: string | null;
}

export interface DeleteMaterialRequest extends OperatorContext {
  /** The local key whose imported copy is deleted from the provider (the local key and its backups stay). */
  keyId: string;
  /** The connected provider's name; needed only when the key is bound to more than one. */
  provider?: string;
}
export interface DeleteMaterialReply {
  keyId: string;
  provider: string;
  remoteKeyId: string;
  state: RemoteState;
}

/** One planned key (a plan entry with count N gives N of these), metadata only. */
export interface PlanKeySummary {
  /** The entry's alias; `label` names this key (alias, or alias-N when the entry has several). */
  alias: string;
  label: string;
  spec: KeySpecName;
  /** How many keys the plan entry this key belongs to has. */
  count: number;
  description: string | null;
  /** As written in the plan, and resolved against the plan's folder. */
  paramsFile: string;
  paramsPath: string;
  provider: ProviderId | null;
  algorithm: WrappingAlgorithm | null;
  /** ISO-8601; null = never expires (the plan's default). */
  materialExpiry: string | null;
  outDir: string;
}
export interface PlanProblemSummary {
  line?: number;
  column?: number;
  /** Where in the plan, e.g. `keys[1].params[0]`; empty for the whole file. */
  path: string;
  code: string;
  message: string;
}
/** What `byok plan check` reports, as metadata: the wizard drives the same plan model. */
export interface PlanCheckSummary {
  planPath: string;
  ok: boolean;
  sha256: string;
  /** The SHA-256 as PGP words, to be read aloud. */
  words: string;
  checkedAt: string;
  ceremony: string | null;
  operator: string | null;
  witnesses: string[];
  confirmations: 'witness' | 'none' | null;
  keys: PlanKeySummary[];
  output: string | null;
  backup: {
    keychain: boolean;
    /** Shamir splitting of each key, when the plan asks for it. */
    split: { threshold: number; total: number; custodians: string[] | null; folder: string | null } | null;
    escrowPath: string | null;
  } | null;
  problems: PlanProblemSummary[];
}

export interface OfflineCheckReply {
  offline: boolean;
  interfaces: Array<{ name: string; addresses: string[] }>;
  defaultRoute: boolean;
  checkedAt: string;
}

export interface ProgressEvent {
  operation: string;
  done: number;
  total: number;
  message: string;
}
export type ProgressListener = (event: ProgressEvent) => void;

/** One step of a planned ceremony, recorded in the audit log as it happens (see main/core/plan). */
export interface CeremonyStepRecord extends OperatorContext {
  ceremonyId: string;
  planSha256: string;
  step: string;
  status: 'started' | 'done' | 'confirmed' | 'refused' | 'skipped';
  keyId?: string;
  detail?: Record<string, string | number | boolean | null>;
}

export interface VaultInfo {
  vaultId: string;
  dir: string;
  keys: number;
  /** Base64 raw Ed25519; null for a vault that has not signed anything yet. */
  ceremonyPublicKey: string | null;
  /** Why signing would be refused (the keychain lost the key or holds another); null when it would not. */
  ceremonyKeyProblem: string | null;
  reconciliation: ReconciliationReport;
}

/** Options every long operation accepts. */
export interface RunOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface CeremonyService {
  vaultInfo(): Promise<VaultInfo>;
  /** Backups and records that do not match (what vaultInfo reports), without touching the ceremony key. */
  reconcile(): Promise<ReconciliationReport>;
  generateKeys(request: GenerateKeysRequest, options?: RunOptions): Promise<GenerateKeysReply>;
  listKeys(filter?: { search?: string; spec?: KeySpecName }): Promise<{ keys: KeySummary[] }>;
  keyHistory(keyId: string): Promise<{ events: AuditEventSummary[] }>;
  inspectParams(request: { path: string; algorithm?: WrappingAlgorithm }): Promise<ParamsSummary>;
  wrap(request: WrapRequest, options?: RunOptions): Promise<WrapReply>;
  /** Wraps every key of one of our request files (bulk ceremonies); batches are read once. */
  wrapAll(request: WrapAllRequest, options?: RunOptions): Promise<WrapAllReply>;
  verifyBundle(request: { path: string }): Promise<BundleVerifyReply>;
  backupVerify(request: { keyId?: string }, options?: RunOptions): Promise<BackupVerifyReply>;
  backupRestore(request: { keyId: string } & OperatorContext): Promise<BackupRestoreReply>;
  vaultRebuild(request: OperatorContext): Promise<VaultRebuildReply>;
  sharesSplit(request: SharesSplitRequest): Promise<SharesSplitReply>;
  sharesCombine(request: { paths: string[] } & OperatorContext): Promise<SharesCombineReply>;
  escrowWrite(request: EscrowWriteRequest): Promise<{ path: string; keys: number; sha256: string }>;
  auditVerify(): Promise<AuditVerifyReply>;
  auditList(filter?: { keyId?: string; limit?: number }): Promise<{ events: AuditEventSummary[] }>;
  auditExport(request: { format: 'md' | 'html'; out: string }): Promise<OutputFile>;
  providerAdd(request: ProviderAddRequest): Promise<ProviderSummary>;
  providerList(): Promise<{ providers: ProviderSummary[] }>;
  providerRemove(request: { name: string }): Promise<{ removed: boolean }>;
  sync(request: SyncRequest, options?: RunOptions): Promise<SyncReply>;
  syncJobs(): Promise<{ jobs: SyncJobSummary[] }>;
  remoteCreateKey(request: RemoteCreateKeyRequest): Promise<RemoteCreateKeyReply>;
  remoteParams(request: RemoteParamsRequest): Promise<RemoteParamsReply>;
  importBundle(request: { path: string; provider?: string; trustSigner?: string } & OperatorContext, options?: RunOptions): Promise<ImportBundleReply>;
  /** Deletes the imported copy of a key's material at its provider (e.g. to re-import); the local key stays. */
  deleteMaterial(request: DeleteMaterialRequest): Promise<DeleteMaterialReply>;
  renewKey(request: { keyId: string; provider?: string; materialExpiry?: string; out?: string } & OperatorContext): Promise<RenewReply>;
  offlineCheck(): Promise<OfflineCheckReply>;
  /** Checks a ceremony plan file, as `byok plan check FILE [--at ISO]` does; `at` defaults to now. */
  planCheck(request: { path: string; at?: string }): Promise<PlanCheckSummary>;
  recordCeremonyStep(record: CeremonyStepRecord): Promise<{ seq: number; hash: string }>;
  close(): Promise<void>;
}
