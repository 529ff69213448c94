// The vault's ceremony signing key, pinned. The first time a vault signs, it records the key's public half;
// from then on the keychain item must be that key. A missing item is refused, never silently replaced: a
// new key would leave every bundle and audit checkpoint signed before unverifiable as this vault's, and
// a key that differs means the keychain namespace is not this vault's. Checking a signature needs only
// the recorded public key, so verifying works even when the keychain cannot be read.
import { ByokError } from '../../../shared/errors.ts';
import { CEREMONY_KEY_ACCOUNT, loadCeremonyKey, loadOrCreateCeremonyKey, type CeremonySigningKey, type Keychain } from '../backup/index.ts';
import type { Vault } from '../vault/index.ts';

export async function loadPinnedCeremonyKey(vault: Vault, keychain: Keychain): Promise<CeremonySigningKey> {
  const recorded = vault.ceremonyPublicKey;
  if (recorded === null) {
    // A vault that has not signed yet (or was rebuilt, or predates the pin): use or create the key, then pin it.
    const signer = await loadOrCreateCeremonyKey(keychain);
    vault.recordCeremonyPublicKey(base64(signer.publicKey));
    await vault.save();
    return signer;
  }
  const signer = await loadCeremonyKey(keychain);
  if (signer === null) {
    throw new ByokError(
      'BACKUP_MISSING',
      `This vault's ceremony signing key (Ed25519 public key ${recorded}) is not in the OS keychain (item '${CEREMONY_KEY_ACCOUNT}'), so nothing was signed or generated. ` +
        'A new key would not verify anything this vault signed before, so none is made. Restore the keychain from its backup; if the key is lost for good, work in a new vault (--vault NEW_FOLDER) and restore keys into it from shares or an escrow file.',
      { publicKey: recorded },
    );
  }
  if (base64(signer.publicKey) !== recorded) {
    throw new ByokError(
      'BACKUP_MISMATCH',
      `The keychain's ceremony signing key (${base64(signer.publicKey)}) is not the one this vault recorded (${recorded}); nothing was signed. Check that this vault folder belongs to this keychain.`,
      { publicKey: recorded },
    );
  }
  return signer;
}

/** The public key this vault signs with, when it has recorded one: enough to check its signatures. */
export function recordedCeremonyPublicKey(vault: Vault): Uint8Array | null {
  const recorded = vault.ceremonyPublicKey;
  return recorded === null ? null : new Uint8Array(Buffer.from(recorded, 'base64'));
}

/**
 * The key to check this vault's signatures against, for commands that only verify: the recorded one,
 * else (a vault that recorded none) the keychain's, null when it holds none. Never creates a key. A
 * keychain that cannot be read is an error here; `lenient` turns it into null (no key to trust).
 */
export async function trustedCeremonyPublicKey(vault: Vault, keychain: Keychain, options: { lenient?: boolean } = {}): Promise<Uint8Array | null> {
  const recorded = recordedCeremonyPublicKey(vault);
  if (recorded) return recorded;
  try {
    return (await loadCeremonyKey(keychain))?.publicKey ?? null;
  } catch (error) {
    if (options.lenient && error instanceof ByokError && error.code.startsWith('KEYCHAIN_')) return null;
    throw error;
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
