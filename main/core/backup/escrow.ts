// A passphrase-protected escrow file: one offline copy of one or more keys, for a user whose keychain
// lives on a single laptop.
//
//   magic "BYKE" | header length u32 | header (JSON: format, version, KDF and its parameters, salt,
//   nonce, key ids and checks — never material) | AES-256-GCM ciphertext of the binary batch payload | tag
//
// The key is scrypt(passphrase, salt); everything before the ciphertext is the GCM associated data, so
// a changed header byte fails authentication like a changed ciphertext byte.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID, scrypt } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ByokError } from '../../../shared/errors.ts';
import { KEY_SPEC_NAMES } from '../../../shared/key-specs.ts';
import { isoUtc, systemClock, type Clock } from '../clock.ts';
import { equalBytes, zeroize } from '../secret.ts';
import { sameCheck, type BackupEntry, type ComputeCheck } from './backup-entry.ts';
import { encodeBatchPayload, entryMaterialIntact, parseBatchPayload } from './batch-payload.ts';
import { ByteReader, ByteWriter, TruncatedInput } from './binary.ts';
import { syncDirectory, writeNewFile } from './new-file.ts';

export const ESCROW_FORMAT = 'byok-ceremony/escrow';
const MAGIC = Uint8Array.from([0x42, 0x59, 0x4b, 0x45]); // "BYKE"
const TAG_BYTES = 16;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** Product default: scrypt N=2^17, r=8, p=1 (128 MiB, ~0.3-0.5 s) — OWASP's recommended minimum. */
export const ESCROW_SCRYPT_DEFAULT: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
// Bounds on what a file may ask for: weak enough to be useless below, a memory bomb above.
const SCRYPT_MIN_N = 2 ** 10;
const SCRYPT_MAX_N = 2 ** 20;

const headerSchema = z.object({
  format: z.literal(ESCROW_FORMAT),
  version: z.literal(1),
  createdAt: z.string(),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z.number().int().min(SCRYPT_MIN_N).max(SCRYPT_MAX_N).refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    keyLength: z.literal(32),
    salt: z.string().regex(/^[A-Za-z0-9+/]{22}==$/),
  }),
  cipher: z.object({ name: z.literal('aes-256-gcm'), nonce: z.string().regex(/^[A-Za-z0-9+/]{16}$/) }),
  keys: z.array(
    z.object({ keyId: z.string(), alias: z.string().nullable(), spec: z.enum(KEY_SPEC_NAMES), check: z.object({ kind: z.enum(['kcv', 'fingerprint']), value: z.string() }), createdAt: z.string() }),
  ),
});
type EscrowHeader = z.infer<typeof headerSchema>;

function deriveKey(passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = 128 * params.N * params.r * (params.p + 1) + 2 ** 20;
    scrypt(passphrase, salt, 32, { N: params.N, r: params.r, p: params.p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export interface EscrowOptions {
  /** Lower only in tests; files record their own parameters, so any readable file opens. */
  scrypt?: ScryptParams;
  /** When given, each entry's material is checked against its check value before writing. */
  computeCheck?: ComputeCheck;
  clock?: Clock;
}

/** Writes an escrow file of `entries` at `path`; never overwrites. */
export async function writeEscrowFile(path: string, entries: readonly BackupEntry[], passphrase: Uint8Array, options: EscrowOptions = {}): Promise<{ path: string; keys: number }> {
  if (entries.length === 0) throw new ByokError('INVALID_ARGUMENT', 'An escrow file needs at least one key.');
  if (passphrase.length === 0) throw new ByokError('INVALID_ARGUMENT', 'An escrow file needs a passphrase.');
  for (const entry of entries) {
    if (options.computeCheck && !sameCheck(options.computeCheck(entry.spec, entry.material), entry.check)) {
      throw new ByokError('BACKUP_MISMATCH', `The material given for key ${entry.keyId} does not match its ${entry.check.kind}; no escrow file was written.`, { keyId: entry.keyId });
    }
  }
  const params = options.scrypt ?? ESCROW_SCRYPT_DEFAULT;
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const createdAt = isoUtc((options.clock ?? systemClock).now());
  const header: EscrowHeader = {
    format: ESCROW_FORMAT,
    version: 1,
    createdAt,
    kdf: { name: 'scrypt', ...params, keyLength: 32, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm', nonce: nonce.toString('base64') },
    keys: entries.map(({ keyId, alias, spec, check, createdAt: keyCreatedAt }) => ({ keyId, alias, spec, check: { ...check }, createdAt: keyCreatedAt })),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const associated = new ByteWriter().bytes(MAGIC).u32(headerBytes.length).bytes(headerBytes).finish();
  const payload = encodeBatchPayload({ batchId: `escrow-${randomUUID()}`, createdAt, entries });
  const key = await deriveKey(passphrase, salt, params);
  let ciphertext: Buffer | undefined;
  try {
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(associated);
    ciphertext = Buffer.concat([cipher.update(payload), cipher.final(), cipher.getAuthTag()]);
  } finally {
    zeroize(payload, key);
  }
  const created: string[] = [];
  try {
    await writeNewFile(path, new ByteWriter().bytes(associated).bytes(ciphertext).finish(), created);
    await syncDirectory(dirname(path));
  } catch (error) {
    for (const file of created) await rm(file, { force: true });
    throw error;
  }
  return { path, keys: entries.length };
}

/** Opens an escrow file. Returns every key (the caller zeroes each `material`), each checked. */
export async function readEscrowFile(path: string, passphrase: Uint8Array, options: { computeCheck: ComputeCheck }): Promise<BackupEntry[]> {
  let file: Uint8Array;
  try {
    file = new Uint8Array(await readFile(path));
  } catch {
    throw new ByokError('FILE_NOT_FOUND', `The escrow file ${path} could not be read. Check the path.`, { path });
  }
  const damaged = (what: string): ByokError => new ByokError('BACKUP_CORRUPT', `${path} is not a readable escrow file (${what}). Use another copy.`, { path });
  let header: EscrowHeader;
  let associatedLength: number;
  try {
    const reader = new ByteReader(file);
    if (!equalBytes(reader.bytes(4), MAGIC)) throw damaged('wrong magic');
    const headerLength = reader.u32();
    const parsed = headerSchema.safeParse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(reader.bytes(headerLength))));
    if (!parsed.success) throw damaged(`header field ${parsed.error.issues[0]?.path.join('.') ?? ''}`);
    header = parsed.data;
    associatedLength = reader.offset;
  } catch (error) {
    if (error instanceof ByokError) throw error;
    if (error instanceof TruncatedInput || error instanceof SyntaxError || error instanceof TypeError) throw damaged('header');
    throw error;
  }
  if (file.length < associatedLength + TAG_BYTES) throw damaged('truncated');
  const key = await deriveKey(passphrase, Buffer.from(header.kdf.salt, 'base64'), header.kdf);
  let payload: Uint8Array;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.cipher.nonce, 'base64'));
    decipher.setAAD(file.subarray(0, associatedLength));
    decipher.setAuthTag(file.subarray(file.length - TAG_BYTES));
    const opened = decipher.update(file.subarray(associatedLength, file.length - TAG_BYTES));
    try {
      decipher.final();
    } catch {
      zeroize(opened);
      throw new ByokError('ESCROW_PASSPHRASE_WRONG', `The passphrase does not open ${path}, or the file was altered. Check the passphrase (it is case-sensitive) or use another copy.`, { path });
    }
    payload = new Uint8Array(opened);
    zeroize(opened);
  } finally {
    zeroize(key);
  }
  try {
    const parsed = parseBatchPayload(payload, 'escrow');
    const entries: BackupEntry[] = [];
    try {
      for (const [i, record] of parsed.entries.entries()) {
        const listed = header.keys[i];
        const material = payload.subarray(record.materialStart, record.materialEnd);
        if (!listed || listed.keyId !== record.keyId || !sameCheck(listed.check, record.check) || !entryMaterialIntact(payload, record)) throw damaged(`key ${record.keyId}`);
        if (!sameCheck(options.computeCheck(record.spec, material), record.check)) {
          throw new ByokError('BACKUP_MISMATCH', `Key ${record.keyId} in ${path} does not produce its recorded ${record.check.kind}; do not use it.`, { path, keyId: record.keyId });
        }
        entries.push({ keyId: record.keyId, alias: record.alias, spec: record.spec, check: { ...record.check }, createdAt: record.createdAt, material: material.slice() });
      }
      if (header.keys.length !== parsed.entries.length) throw damaged('key count');
      return entries;
    } catch (error) {
      zeroize(...entries.map((entry) => entry.material));
      throw error;
    }
  } finally {
    zeroize(payload);
  }
}
