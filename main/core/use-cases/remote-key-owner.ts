// One remote key, one local key. A KMS binds a key to the first material imported into it, forever: a
// second local key wrapped under parameters for the same remote key would either be refused by the KMS
// at import (the luckier case) or, when imported first, take the remote key from its owner for good.
// So every wrap and import checks, before any material is read, that the remote key it targets is not
// already the remote key of another local key in this vault, and that one wrap run never targets one
// remote key twice.
import { ByokError } from '../../../shared/errors.ts';
import type { ProviderId } from '../../../shared/providers.ts';
import type { Vault } from '../vault/index.ts';

/**
 * Refuses when `remoteKeyId` (at a provider of `providerType`) is bound in this vault to a key other than
 * `keyId` (null: a key about to be generated, which no remote key can belong to yet).
 */
export function refuseRemoteKeyOfAnotherKey(vault: Vault, input: { keyId: string | null; providerType: ProviderId; remoteKeyId: string | null }): void {
  if (input.remoteKeyId === null) return; // parameters not tied to one remote key (a GCP import job, an Azure KEK)
  // Bound to another key here (the connected machine), or already wrapped for another key here (the
  // air-gapped machine, which has no bindings: the first bundle imported would take the remote key).
  const owner =
    vault.bindings.list({ remoteKeyId: input.remoteKeyId }).find((binding) => binding.providerType === input.providerType && binding.keyId !== input.keyId) ??
    vault.bundles.otherKeysWrappedFor(input.providerType, input.remoteKeyId, input.keyId).map((keyId) => ({ keyId }))[0];
  if (owner) {
    throw new ByokError(
      'PARAMS_KEY_MISMATCH',
      `These import parameters are for remote key ${input.remoteKeyId}, which is the remote key of key ${owner.keyId} in this vault (bound to it, or wrapped for it), not of ${input.keyId ?? 'a new key'}. A KMS key takes one material forever; nothing was wrapped or imported. Use parameters for the key's own remote key (\`byok remote params --key ID\`).`,
      { remoteKeyId: input.remoteKeyId, ownerKeyId: owner.keyId },
    );
  }
}

/** Refuses a run that would wrap two local keys for the same remote key. */
export function refuseSharedRemoteKeys(targets: ReadonlyArray<{ keyId: string; providerType: ProviderId; remoteKeyId: string | null }>): void {
  const seen = new Map<string, string>();
  for (const target of targets) {
    if (target.remoteKeyId === null) continue;
    const id = `${target.providerType}\u0000${target.remoteKeyId}`;
    const first = seen.get(id);
    if (first !== undefined && first !== target.keyId) {
      throw new ByokError(
        'PARAMS_KEY_MISMATCH',
        `Keys ${first} and ${target.keyId} would both be wrapped for remote key ${target.remoteKeyId}; a KMS key takes one material forever. Nothing was wrapped. Give each key the parameters of its own remote key.`,
        { remoteKeyId: target.remoteKeyId },
      );
    }
    seen.set(id, target.keyId);
  }
}

/** Refuses a request-file entry whose provider response is not for the provider and remote key the entry names. */
export function refuseMislabelledEntry(entry: { keyId: string; provider: ProviderId; remoteKeyId: string }, params: { provider: ProviderId; remoteKeyId: string | null }): void {
  if (params.provider !== entry.provider || (params.remoteKeyId !== null && params.remoteKeyId !== entry.remoteKeyId)) {
    throw new ByokError(
      'PARAMS_KEY_MISMATCH',
      `The request file's entry for key ${entry.keyId} names ${entry.provider} remote key ${entry.remoteKeyId}, but its provider response is for ${params.provider}${params.remoteKeyId ? ` remote key ${params.remoteKeyId}` : ''}. Nothing was wrapped. Fetch a new request file with \`byok remote params\`.`,
      { keyId: entry.keyId },
    );
  }
}
