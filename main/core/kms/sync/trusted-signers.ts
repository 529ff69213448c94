// Which ceremony keys may sign the bundles this vault imports into a KMS.
//
// A KMS binds a key to the first material imported into it, forever. The bundle's signature is the only
// link between the wrapped material and the ceremony that made it: its check value is a claim the
// connected machine cannot test against the ciphertext (no KMS returns a check value). So a bundle is
// imported only when it is signed by this vault's own ceremony key, or by a key the operator trusted
// explicitly: read from the air-gapped vault (`byok vault info`) and given once with `--trust-signer`.
// A bundle that merely carries a valid signature by its own, unknown key is refused: anyone who can swap
// files on the way could otherwise bind the remote key to material they know.
import { ByokError } from '../../../../shared/errors.ts';
import { trustedCeremonyPublicKey, type SignerSources } from '../../use-cases/ceremony-signer.ts';
import type { Vault } from '../../vault/index.ts';

const META_KEY = 'import.trusted_signers';

export interface TrustedSigner {
  /** Raw Ed25519 public key, base64, exactly as `byok vault info` and `byok bundle verify` print it. */
  publicKey: string;
  trustedAt: string;
}

export function trustedSigners(vault: Vault): TrustedSigner[] {
  const text = vault.meta.get(META_KEY);
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry?.publicKey === 'string' && typeof entry?.trustedAt === 'string')) {
    throw new ByokError('VAULT_CORRUPT', 'The list of trusted ceremony keys in this vault is damaged; no bundle can be imported until it is repaired (restore vault.db from a copy).');
  }
  return parsed as TrustedSigner[];
}

/** How the signer of a bundle came to be trusted. */
export type SignerTrust = 'this-vault' | 'trusted' | 'trusted-now';

/**
 * Refuses a bundle signer that is neither this vault's ceremony key nor trusted here. `trustSigner` (the
 * operator's copy of the air-gapped vault's key) is accepted when it is exactly the bundle's key: the
 * reply is then 'trusted-now', and the caller records it with recordTrustedSigner once its own checks
 * have passed (so a refused import leaves no trust behind for another operation's save to make durable).
 */
export async function checkBundleSigner(sources: SignerSources, signerPublicKey: string, options: { trustSigner?: string } = {}): Promise<SignerTrust> {
  return (await bundleSignerChecker(sources))(signerPublicKey, options);
}

/**
 * The same check for many bundles (a sync pushing hundreds): this vault's key is read from the keychain
 * and the trusted list from the vault once, not once per bundle.
 */
export async function bundleSignerChecker(sources: SignerSources): Promise<(signerPublicKey: string, options?: { trustSigner?: string }) => SignerTrust> {
  const ownKey = await trustedCeremonyPublicKey(sources, { lenient: true });
  const own = ownKey === null ? null : Buffer.from(ownKey).toString('base64');
  const trusted = new Set(trustedSigners(sources.vault).map((signer) => signer.publicKey));
  return (signerPublicKey, options = {}) => signerTrust(signerPublicKey, own, trusted, options);
}

function signerTrust(signerPublicKey: string, own: string | null, trusted: ReadonlySet<string>, options: { trustSigner?: string }): SignerTrust {
  if (own === signerPublicKey) return 'this-vault';
  if (trusted.has(signerPublicKey)) return 'trusted';
  if (options.trustSigner === undefined) {
    throw new ByokError(
      'BUNDLE_SIGNER_UNTRUSTED',
      `The bundle is signed by ceremony key ${signerPublicKey}, which this vault does not trust, so it was not imported. On the air-gapped machine run \`byok vault info\`: if its ceremony key is exactly this one, import again with --trust-signer ${signerPublicKey} (once; later bundles from that vault are trusted). If it differs, the bundle was not made by your ceremony: do not import it.`,
      { signerPublicKey },
    );
  }
  if (options.trustSigner.trim() !== signerPublicKey) {
    throw new ByokError(
      'BUNDLE_SIGNER_UNTRUSTED',
      `The bundle is signed by ceremony key ${signerPublicKey}, not by the key given with --trust-signer. Nothing was imported or trusted. Compare the key \`byok vault info\` shows on the air-gapped machine with the bundle's.`,
      { signerPublicKey },
    );
  }
  return 'trusted-now';
}

/** Trusts `publicKey` from now on (in memory: the caller's save makes it durable, after its audit event). */
export function recordTrustedSigner(vault: Vault, publicKey: string, at: string): void {
  const signers = trustedSigners(vault);
  if (!signers.some((signer) => signer.publicKey === publicKey)) vault.meta.set(META_KEY, JSON.stringify([...signers, { publicKey, trustedAt: at }]));
}
