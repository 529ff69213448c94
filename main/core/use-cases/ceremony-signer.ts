// The vault's ceremony signing key, pinned. A vault that has signed expects that key from then on: a
// keychain that lost it is refused, never given a new one silently (a new key would leave every bundle
// and audit checkpoint signed before unverifiable as this vault's), and a keychain holding another key is
// refused too. The expected key is the one recorded in the vault database, else (a vault from before the
// record, or one rebuilt from the keychain) the one that signed its newest audit checkpoint.
//
// Trust for checking signatures comes from the keychain first: the vault folder's files (database,
// audit log) could be rewritten together, so the keychain's key must agree with them. Only when the
// keychain holds no key (or cannot be read, for commands that only check a file) do the files speak.
import { ByokError } from '../../../shared/errors.ts';
import type { AuditEvent, AuditLog } from '../audit/index.ts';
import { CEREMONY_KEY_ACCOUNT, loadCeremonyKey, loadOrCreateCeremonyKey, type CeremonySigningKey, type Keychain } from '../backup/index.ts';
import { equalBytes } from '../secret.ts';
import type { Vault } from '../vault/index.ts';

export interface SignerSources {
  vault: Vault;
  audit: AuditLog;
  keychain: Keychain;
}

/**
 * The key for signing. Creates one only for a vault that has never signed. The pin is recorded in
 * memory and becomes durable with the operation's own save: saving here could make another operation's
 * unfinished changes durable (see vault.ts); until then, the newest checkpoint holds the same key.
 */
export async function loadPinnedCeremonyKey({ vault, audit, keychain }: SignerSources): Promise<CeremonySigningKey> {
  const expected = expectedCeremonyPublicKey(vault, audit);
  const held = await loadCeremonyKey(keychain);
  const refusal = refusalFor(held, expected, audit);
  if (refusal) throw refusal;
  // Here the keychain holds the expected key, or nothing is expected: its key, or a new one, is pinned.
  const signer = held ?? (await loadOrCreateCeremonyKey(keychain));
  if (vault.ceremonyPublicKey === null) vault.recordCeremonyPublicKey(base64(signer.publicKey));
  return signer;
}

/**
 * Why `held` cannot sign for a vault that expects `expected`, or null when it can (or, with nothing
 * held and nothing expected, when a key may be made). A vault whose log shows signing but names no key
 * (killed before its first checkpoint, then rebuilt) may have signed bundles with a key nobody can name:
 * refused, not guessed.
 */
function refusalFor(held: CeremonySigningKey | null, expected: Uint8Array | null, audit: AuditLog): ByokError | null {
  if (held === null) return expected !== null || signingEvidence(audit).signed ? missingKey(expected) : null;
  return expected !== null && !equalBytes(held.publicKey, expected) ? otherKey(held.publicKey, expected) : null;
}

/**
 * The key this vault has signed with: recorded, else its newest checkpoint's; null when neither names
 * one. A newest checkpoint that names no valid key is refused rather than read as "never signed".
 */
export function expectedCeremonyPublicKey(vault: Vault, audit: AuditLog): Uint8Array | null {
  const recorded = vault.ceremonyPublicKey;
  if (recorded !== null) return new Uint8Array(Buffer.from(recorded, 'base64'));
  const { newestCheckpoint } = signingEvidence(audit);
  if (!newestCheckpoint) return null;
  const publicKey = (newestCheckpoint.data as { publicKey?: unknown }).publicKey;
  if (typeof publicKey === 'string' && /^[0-9a-f]{64}$/.test(publicKey)) return new Uint8Array(Buffer.from(publicKey, 'hex'));
  throw new ByokError('AUDIT_CHAIN_BROKEN', `Audit checkpoint ${newestCheckpoint.seq} does not name a valid ceremony key, so this vault's signing key cannot be told; nothing was signed. Run \`byok audit verify\`.`);
}

interface SigningEvidence {
  newestCheckpoint: AuditEvent | undefined;
  /** The log shows a signature: a checkpoint or a written bundle. */
  signed: boolean;
}

const evidenceByLog = new WeakMap<AuditLog, { seq: number; evidence: SigningEvidence }>();

/**
 * What the audit log says about signing, from one pass over it, read again only once it has grown. The
 * log is read whole, so this is for vaults that recorded no key (older or rebuilt ones), which `vault
 * info` (the app header) would otherwise read on every call until their first save.
 */
function signingEvidence(audit: AuditLog): SigningEvidence {
  const known = evidenceByLog.get(audit);
  if (known && known.seq === audit.lastSeq) return known.evidence;
  const evidence: SigningEvidence = { newestCheckpoint: undefined, signed: false };
  for (const event of audit.list()) {
    if (event.type === 'checkpoint') evidence.newestCheckpoint = event;
    if (event.type === 'checkpoint' || event.type === 'bundle.written') evidence.signed = true;
  }
  evidenceByLog.set(audit, { seq: audit.lastSeq, evidence });
  return evidence;
}

/**
 * What `vault info` shows: the vault's key (the keychain's, else the expected one) and, when signing
 * would be refused, why, so the problem is seen before a ceremony rather than in the middle of one. A
 * locked keychain is not a problem here (it is unlocked to sign); an unreachable one is.
 */
export async function ceremonyKeyStatus({ vault, audit, keychain }: SignerSources): Promise<{ publicKey: Uint8Array | null; problem: string | null }> {
  let expected: Uint8Array | null;
  try {
    expected = expectedCeremonyPublicKey(vault, audit);
  } catch (error) {
    if (error instanceof ByokError) return { publicKey: null, problem: error.message };
    throw error;
  }
  let held: CeremonySigningKey | null;
  try {
    held = await loadCeremonyKey(keychain);
  } catch (error) {
    if (error instanceof ByokError && error.code === 'KEYCHAIN_LOCKED') return { publicKey: expected, problem: null };
    if (error instanceof ByokError) return { publicKey: expected, problem: error.message };
    throw error;
  }
  const refusal = refusalFor(held, expected, audit);
  return { publicKey: refusal || !held ? expected : held.publicKey, problem: refusal?.message ?? null };
}

/** Whether the vault has a key to sign with without making one: one it expects, or one in the keychain. */
export async function ceremonyKeyExists({ vault, audit, keychain }: SignerSources): Promise<boolean> {
  return expectedCeremonyPublicKey(vault, audit) !== null || (await loadCeremonyKey(keychain)) !== null;
}

/**
 * The key to check this vault's signatures against, for commands that only verify; never creates one.
 * The keychain's key when it holds one (it must be the expected one), else the expected key, else null
 * (the vault never signed). A keychain that cannot be read is an error, unless `lenient`: then the
 * expected key stands in.
 */
export async function trustedCeremonyPublicKey({ vault, audit, keychain }: SignerSources, options: { lenient?: boolean } = {}): Promise<Uint8Array | null> {
  const expected = expectedCeremonyPublicKey(vault, audit);
  let held: CeremonySigningKey | null;
  try {
    held = await loadCeremonyKey(keychain);
  } catch (error) {
    if (options.lenient && error instanceof ByokError && (error.code.startsWith('KEYCHAIN_') || error.code === 'BACKUP_CORRUPT')) return expected;
    throw error;
  }
  if (held === null) return expected; // checking needs no private key: the expected public one will do
  const refusal = refusalFor(held, expected, audit);
  if (refusal) throw refusal;
  return held.publicKey;
}

/** Whether the vault may go on without signing at close: the key is absent, unreadable or not the vault's. */
export function isCeremonyKeyUnavailable(error: unknown): boolean {
  return error instanceof ByokError && (error.code.startsWith('KEYCHAIN_') || ['BACKUP_MISSING', 'BACKUP_MISMATCH', 'BACKUP_CORRUPT', 'AUDIT_CHAIN_BROKEN'].includes(error.code));
}

function missingKey(expected: Uint8Array | null): ByokError {
  const which = expected ? ` (Ed25519 public key ${base64(expected)})` : ', which its audit log shows it has signed with,';
  return new ByokError(
    'BACKUP_MISSING',
    `This vault's ceremony signing key${which} is not in the OS keychain (item '${CEREMONY_KEY_ACCOUNT}'), so nothing was signed or generated. ` +
      'A new key would not verify anything this vault signed before, so none is made. Restore the keychain from its backup; if the key is lost for good, work in a new vault (--vault NEW_FOLDER) and restore keys into it from shares or an escrow file.',
    expected ? { publicKey: base64(expected) } : undefined,
  );
}

function otherKey(held: Uint8Array, expected: Uint8Array): ByokError {
  return new ByokError(
    'BACKUP_MISMATCH',
    `The keychain's ceremony signing key (${base64(held)}) is not the one this vault has signed with (${base64(expected)}); nothing was signed. Check that this vault folder belongs to this keychain, and that its database and audit log were not replaced.`,
    { publicKey: base64(expected) },
  );
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
