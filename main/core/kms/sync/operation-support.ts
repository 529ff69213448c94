// Helpers shared by the connected operations: lookups that fail with the product's errors, the
// services they work with, and the failure recorded on a job turned back into the error it was.
import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import type { RemoteState } from '../../../../shared/ceremony-api.ts';
import { ByokError, ERROR_CODES, type ErrorCode } from '../../../../shared/errors.ts';
import { KEY_SPECS, type KeySpecName } from '../../../../shared/key-specs.ts';
import type { KeyRecord, RemoteBinding, Vault } from '../../vault/index.ts';
import type { SyncServices } from './sync-run.ts';

export interface OperationServices extends SyncServices {
  /** How long `importBundle`, `renewKey` and `deleteMaterial` keep retrying before leaving the job to `byok sync`. */
  interactiveBudgetMs: number;
}

export const CONNECTED_TYPES = ['huawei', 'tencent', 'aws'] as const;
const REMOTE_STATES: readonly RemoteState[] = ['PendingImport', 'Enabled', 'Disabled', 'PendingDeletion', 'Unknown'];

export function requireKey(vault: Vault, keyId: string): KeyRecord {
  const record = vault.keys.get(keyId);
  if (!record) throw new ByokError('KEY_NOT_FOUND', `No key ${keyId} in this vault. See \`byok keys list\`.`);
  return record;
}

export function requireBinding(vault: Vault, keyId: string, providerName: string): RemoteBinding {
  const binding = vault.bindings.list({ keyId, provider: providerName })[0];
  if (!binding) throw new ByokError('KEY_NOT_FOUND', `Key ${keyId} has no remote key at provider "${providerName}". Create one with \`byok remote create-key --provider ${providerName} --key ${keyId}\`.`);
  return binding;
}

export function stateOf(value: string): RemoteState {
  return (REMOTE_STATES as readonly string[]).includes(value) ? (value as RemoteState) : 'Unknown';
}

/** The job's recorded failure ("CODE: message") as the product error it was. */
export function jobError(lastError: string | null): ByokError {
  const match = /^([A-Z_]+): ([\s\S]*)$/.exec(lastError ?? '');
  const code = match && (ERROR_CODES as readonly string[]).includes(match[1]!) ? (match[1] as ErrorCode) : 'KMS_TRANSIENT';
  return new ByokError(code, match ? match[2]! : 'The KMS job failed.');
}

/** A key known here by id and spec only; its alias and check value arrive with its signed bundle. */
export function placeholderKey(id: string, spec: KeySpecName, createdAt: string): KeyRecord {
  return {
    id,
    alias: null,
    description: 'known from the air-gapped machine',
    spec,
    check: { kind: KEY_SPECS[spec].kind === 'symmetric' ? 'kcv' : 'fingerprint', value: '' },
    createdAt,
    status: 'active',
    backupRef: null,
    entropyEvidence: null,
    operator: null,
    batchId: null,
  };
}

export async function refuseExisting(path: string): Promise<void> {
  try {
    await lstat(path);
  } catch {
    return;
  }
  throw new ByokError('OUTPUT_EXISTS', `${path} already exists; outputs are never overwritten. Choose another --out.`);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
