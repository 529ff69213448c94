// One interface for every connected KMS. Adapters speak the provider's own protocol (through the
// official SDK where one exists) and return the provider's own texts where the rest of the product
// reads them (import parameters go to the wrap module's parseImportParameters unchanged).
import { ByokError } from '../../../shared/errors.ts';
import type { KeySpecName } from '../../../shared/key-specs.ts';
import type { WrappingAlgorithm, WrappingKeySpec } from '../../../shared/providers.ts';

export type ConnectedProvider = 'huawei' | 'tencent' | 'aws';

export type RemoteKeyStateName = 'PendingImport' | 'Enabled' | 'Disabled' | 'PendingDeletion' | 'Unknown';

export interface RemoteKeyState {
  remoteKeyId: string;
  state: RemoteKeyStateName;
  /** ISO-8601 UTC; null when the material does not expire or none is imported. */
  materialExpiry: string | null;
  origin: 'external' | 'kms' | 'unknown';
  /** The provider's own state value, for messages and drift reports. */
  providerState: string;
}

export type WrappedMaterial =
  | { layout: 'single'; ciphertext: Uint8Array }
  | { layout: 'split'; encryptedKeyMaterial: Uint8Array; encryptedPrivateKey: Uint8Array };

export interface KmsAdapter {
  readonly provider: ConnectedProvider;
  createExternalKey(input: { alias: string; spec: KeySpecName; description?: string }): Promise<{ remoteKeyId: string }>;
  /** `text` is the provider's own response JSON (plus the requested algorithm fields). */
  getImportParameters(input: { remoteKeyId: string; algorithm: WrappingAlgorithm; wrappingKeySpec?: WrappingKeySpec }): Promise<{ text: string }>;
  importMaterial(input: {
    remoteKeyId: string;
    importToken: Uint8Array;
    importTokenText: string;
    wrapped: WrappedMaterial;
    /** ISO-8601 UTC, or null for material that does not expire. */
    materialExpiry: string | null;
  }): Promise<void>;
  deleteImportedMaterial(remoteKeyId: string): Promise<void>;
  describeKey(remoteKeyId: string): Promise<RemoteKeyState>;
  listKeys(): Promise<RemoteKeyState[]>;
  /**
   * The keys (not pending deletion) that carry this alias, as `createExternalKey` set it: how a create
   * whose reply was lost, or whose process died before saving, is found again. Absent where the adapter
   * cannot search by alias (then a second create is refused until the user checks the console).
   */
  findKeysByAlias?(alias: string): Promise<RemoteKeyState[]>;
  /** DER SubjectPublicKeyInfo of an imported asymmetric key: proves the right key was imported. */
  getPublicKey?(remoteKeyId: string): Promise<Uint8Array>;
}

export interface AdapterConfig {
  type: ConnectedProvider;
  region: string;
  projectId?: string;
  /** Where to connect instead of the provider's public endpoint (the loopback simulator, a VPC endpoint). */
  endpoint?: string;
}

export interface AdapterCredentials {
  accessKeyId: string;
  secret: string;
  sessionToken?: string;
}

export interface AdapterOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * No key with the alias among those that could be read, but some could not: the one looked for may be
 * among them, so "none" cannot be answered (a second key would be created beside it).
 */
export function unlessUnsure<T>(found: T[], skipped: readonly string[], alias: string): T[] {
  if (found.length > 0 || skipped.length === 0) return found;
  throw new ByokError(
    'KMS_INVALID_STATE',
    `No readable key carries the alias ${alias}, but ${skipped.length} key(s) could not be described by this connection (${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', …' : ''}): the key looked for may be among them. Check them in the console.`,
    { alias, unreadable: skipped.length },
  );
}
