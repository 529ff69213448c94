// Proof that the KMS now holds the right key. RSA/EC: the KMS's public key must have the local SPKI
// fingerprint. Symmetric: no provider returns anything derived from imported symmetric material (no KCV,
// no digest), so the proof is what the provider enforces: it accepted the material under this key's own
// import token, and it refuses any different material on every later re-import (the same-material rule).
import { createHash } from 'node:crypto';
import { ByokError } from '../../../../shared/errors.ts';
import { KEY_SPECS, type KeySpecName } from '../../../../shared/key-specs.ts';
import { PROVIDERS } from '../../../../shared/providers.ts';
import type { ConnectedProvider, KmsAdapter } from '../adapter.ts';

export async function proveImport(
  adapter: KmsAdapter,
  input: { provider: ConnectedProvider; remoteKeyId: string; keyId: string; spec: KeySpecName; check: { kind: string; value: string } },
): Promise<string> {
  const displayName = PROVIDERS[input.provider].displayName;
  if (KEY_SPECS[input.spec].kind === 'symmetric') {
    return `symmetric: ${displayName} accepted the material under this key's import token and refuses different material on any re-import; it exposes no check value, so KCV ${input.check.value} is recorded locally only`;
  }
  if (!adapter.getPublicKey) {
    return `asymmetric: ${displayName} offers no public-key read here; the import was accepted under this key's token (fingerprint ${input.check.value} not compared)`;
  }
  const spki = await adapter.getPublicKey(input.remoteKeyId);
  const fingerprint = createHash('sha256').update(spki).digest('hex');
  if (input.check.value !== '' && fingerprint !== input.check.value.toLowerCase()) {
    throw new ByokError(
      'KMS_MATERIAL_MISMATCH',
      `${displayName} key ${input.remoteKeyId} now holds a public key with fingerprint ${fingerprint}, not ${input.check.value} of key ${input.keyId}. Do not use the remote key; check which bundle was imported.`,
      { keyId: input.keyId, remoteKeyId: input.remoteKeyId, fingerprint },
    );
  }
  return `public key compared: ${displayName} returns the SPKI with SHA-256 ${fingerprint}, the local fingerprint`;
}

/**
 * The proof of an import counted done on the key's state alone: a retry found the key Enabled with the
 * requested expiry and could not present the material again (Huawei takes no import into an Enabled key;
 * elsewhere the token had expired). Says so, so that nobody reads it as the KMS having accepted it.
 */
export function stateOnlyProof(provider: ConnectedProvider, check: { value: string }): string {
  const displayName = PROVIDERS[provider].displayName;
  return `state only: after an attempt whose reply was lost, ${displayName} showed the key Enabled with the requested expiry; the material could not be presented again to prove it (the KMS takes no re-import now), so this rests on the key's state. KCV/fingerprint ${check.value} recorded locally only; a later re-import (a renewal) proves it`;
}
