// Key backups in the OS keychain, grouped by batch so that the number of items and writes stays small
// (gnome-keyring rewrites its whole file on every write), while any single key can still be verified
// and restored without the vault database.
import { randomUUID } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import type { KeySpecName } from '../../../shared/key-specs.ts';
import { isoUtc, systemClock, type Clock } from '../clock.ts';
import { equalBytes, zeroize } from '../secret.ts';
import { sameCheck, type BackupCheck, type BackupEntry, type BackupEntryMetadata, type ComputeCheck } from './backup-entry.ts';
import { assertBatchId, declaredItemCount, itemAccount, parseItemAccount, reassemble, splitIntoItems, type Reassembly } from './batch-items.ts';
import { encodeBatchPayload, entryMaterialIntact, parseBatchPayload, type ParsedPayload, type PayloadEntryRecord } from './batch-payload.ts';
import { itemLimitFor } from './item-limits.ts';
import type { Keychain } from './keychain.ts';

export interface BackupStoreOptions {
  keychain: Keychain;
  /** Largest item the keychain accepts; the platform's entry in KEYCHAIN_ITEM_LIMITS by default. */
  itemLimit?: number;
  computeCheck: ComputeCheck;
  /** Stamps the batch's created-at. */
  clock?: Clock;
}

export interface WrittenBatch {
  batchId: string;
  /** The keychain accounts holding the batch, in order. */
  items: string[];
  /** Bytes written to the keychain, headers included. */
  bytes: number;
}

export interface ListedEntry extends BackupEntryMetadata {
  batchId: string;
  /** The entry's material was recovered and matches the digest written with it. */
  intact: boolean;
}

export interface DamagedBatch {
  batchId: string;
  problems: string[];
  /** Keys whose metadata could still be read from the damaged batch. */
  keyIds: string[];
}

export interface ExpectedBackup {
  keyId: string;
  spec: KeySpecName;
  check: BackupCheck;
}

interface OpenedBatch {
  batchId: string;
  reassembly: Reassembly;
  /** Null when even the metadata could not be read. */
  parsed: ParsedPayload | null;
  problems: string[];
}

type Finding =
  | { status: 'ok'; batchId: string; spec: KeySpecName; check: BackupCheck }
  | { status: 'altered' | 'damaged'; batchId: string; reason: string };

const FINDING_RANK = { ok: 2, altered: 1, damaged: 0 } as const;

export class BackupStore {
  private readonly keychain: Keychain;
  private readonly itemLimit: number;
  private readonly computeCheck: ComputeCheck;
  private readonly clock: Clock;
  /** Ids handed out by newBatchId and not yet written. */
  private readonly minted = new Set<string>();

  constructor(options: BackupStoreOptions) {
    this.keychain = options.keychain;
    this.itemLimit = options.itemLimit ?? itemLimitFor();
    this.computeCheck = options.computeCheck;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Writes a batch, reads every item back, and resolves only when the reassembled batch matches what
   * was given, key by key (digest, metadata, recomputed check, bytes). On any failure the items this
   * call wrote are removed and the error is thrown.
   */
  async writeBatch(batchId: string, entries: readonly BackupEntry[]): Promise<WrittenBatch> {
    assertBatchId(batchId);
    this.refuseInvalidEntries(entries);
    this.refuseMismatchedChecks(entries);
    // Probing item 0 is enough: it holds the start of the metadata, so a batch without it is unreadable anyway
    // (and listing would read every item in the keychain).
    const existing = await this.keychain.get(itemAccount(batchId, 0));
    if (existing !== null) {
      zeroize(existing);
      throw new ByokError('OUTPUT_EXISTS', `A backup batch named ${batchId} is already in the keychain; backups are never overwritten. Use a new batch id.`, { batchId });
    }
    return this.writeItems(batchId, entries);
  }

  /** A fresh batch id for writeNewBatch (122 random bits; the caller records it before writing). */
  newBatchId(): string {
    const batchId = randomUUID();
    this.minted.add(batchId);
    return batchId;
  }

  /**
   * Writes the backup of keys generated a moment ago, under a batch id from newBatchId, with the same
   * read-back check as writeBatch. Two steps of writeBatch are left out because they cannot fail here:
   * the probe for an existing batch (the id is 122 fresh random bits, so no batch can hold it) and the
   * check recomputed before writing (the caller computed it from this material just now, and the
   * read-back recomputes it from the keychain's copy anyway, removing the batch on a mismatch). At a
   * thousand keys these are a keychain search and a thousand MACs.
   */
  async writeNewBatch(batchId: string, entries: readonly BackupEntry[]): Promise<WrittenBatch> {
    if (!this.minted.delete(batchId)) throw new ByokError('INTERNAL', 'writeNewBatch takes only a batch id from newBatchId; use writeBatch for any other id.');
    this.refuseInvalidEntries(entries);
    return this.writeItems(batchId, entries);
  }

  private async writeItems(batchId: string, entries: readonly BackupEntry[]): Promise<WrittenBatch> {
    const payload = encodeBatchPayload({ batchId, createdAt: isoUtc(this.clock.now()), entries });
    const items = splitIntoItems(batchId, payload, this.itemLimit);
    const accounts = items.map((_, index) => itemAccount(batchId, index));
    const attempted: string[] = [];
    try {
      for (const [index, item] of items.entries()) {
        attempted.push(accounts[index]!); // before the write: a failed write may still leave an item
        await this.keychain.set(accounts[index]!, item);
      }
      await this.confirmWritten(batchId, accounts, entries);
      return { batchId, items: accounts, bytes: items.reduce((sum, item) => sum + item.length, 0) };
    } catch (error) {
      throw await this.withCleanup(error, attempted);
    } finally {
      zeroize(payload, ...items);
    }
  }

  /** One key's material from its backup, verified against its recorded check. The caller zeroes it. */
  async readKey(keyId: string, options: { batchId?: string | null } = {}): Promise<{ entry: BackupEntryMetadata; material: Uint8Array }> {
    const damage: string[] = [];
    for await (const opened of this.openBatches(options.batchId)) {
      const { batchId } = opened;
      try {
        const record = opened.parsed?.entries.find((entry) => entry.keyId === keyId);
        if (!record) {
          if (!opened.parsed) damage.push(`batch ${batchId} could not be read (${opened.problems.join('; ')})`);
          continue;
        }
        if (!entryMaterialIntact(opened.reassembly.payload, record, opened.reassembly.available)) {
          damage.push(`batch ${batchId}: ${opened.problems.join('; ') || 'material does not match its digest'}`);
          continue;
        }
        const material = opened.reassembly.payload.slice(record.materialStart, record.materialEnd);
        if (!this.reproducesCheck(record, material)) {
          zeroize(material);
          throw new ByokError('BACKUP_MISMATCH', `The backup of key ${keyId} in batch ${batchId} does not produce its recorded ${record.check.kind}; do not use it. Restore the key from shares or an escrow file.`, { keyId, batchId });
        }
        return { entry: metadataOf(record), material };
      } finally {
        zeroize(opened.reassembly.payload);
      }
    }
    if (damage.length > 0) {
      throw new ByokError('BACKUP_CORRUPT', `The backup of key ${keyId} is damaged: ${damage.join('; ')}. Restore it from shares or an escrow file.`, { keyId });
    }
    throw new ByokError('BACKUP_MISSING', `No backup of key ${keyId} was found in the OS keychain${options.batchId ? ` (batch ${options.batchId})` : ''}. Restore it from shares or an escrow file.`, { keyId });
  }

  /**
   * Visits every restorable key, reading each batch once (for rebuilds and bulk restores, where readKey
   * per key would re-read the batch every time). `material` is a view that is zeroed when `visit`
   * returns: copy what must outlive it. Keys that cannot be restored are listed in `skipped`.
   */
  async forEachKey(
    visit: (entry: BackupEntryMetadata & { batchId: string }, material: Uint8Array) => void | Promise<void>,
    options: { batchId?: string | null } = {},
  ): Promise<{ visited: number; skipped: Array<{ keyId: string; batchId: string; reason: string }>; unreadableBatches: DamagedBatch[] }> {
    let visited = 0;
    const skipped: Array<{ keyId: string; batchId: string; reason: string }> = [];
    const unreadableBatches: DamagedBatch[] = [];
    for await (const opened of this.openBatches(options.batchId)) {
      const { batchId } = opened;
      try {
        if (!opened.parsed) unreadableBatches.push({ batchId, problems: opened.problems, keyIds: [] });
        for (const record of opened.parsed?.entries ?? []) {
          const finding = this.judge(opened, record);
          if (finding.status !== 'ok') {
            skipped.push({ keyId: record.keyId, batchId, reason: finding.reason });
            continue;
          }
          await visit({ ...metadataOf(record), batchId }, opened.reassembly.payload.subarray(record.materialStart, record.materialEnd));
          visited++;
        }
      } finally {
        zeroize(opened.reassembly.payload);
      }
    }
    return { visited, skipped, unreadableBatches };
  }

  /** Checks every expected key against the keychain, reading each batch once. */
  async verify(expected: readonly ExpectedBackup[], options: { inBatches?: readonly string[] } = {}): Promise<{ verified: number; failed: Array<{ id: string; reason: string }> }> {
    // Where the vault says the backups are, read straight from their items. Only when some key is not
    // proven there is the keychain listed (every item of the namespace, handed back as text by the
    // binding), so a copy elsewhere or a damaged batch is judged exactly as before.
    if (options.inBatches?.length) {
      const named = options.inBatches.map((batchId) => async () => {
        const found = await this.readNamedBatch(batchId);
        return typeof found === 'string' ? null : found;
      });
      const direct = await this.verifyIn(expected, named);
      if (direct.failed.length === 0) return direct;
    }
    const listed: Array<() => Promise<OpenedBatch | null>> = [];
    for (const [batchId, indexes] of await this.batchIndex()) listed.push(() => this.openBatch(batchId, indexes));
    return this.verifyIn(expected, listed);
  }

  private async verifyIn(expected: readonly ExpectedBackup[], batches: ReadonlyArray<() => Promise<OpenedBatch | null>>): Promise<{ verified: number; failed: Array<{ id: string; reason: string }> }> {
    const findings = new Map<string, Finding>();
    const unreadable: string[] = [];
    for (const open of batches) {
      const opened = await open();
      if (!opened) continue;
      const { batchId } = opened;
      try {
        if (!opened.parsed) {
          unreadable.push(`${batchId} (${opened.problems.join('; ')})`);
          continue;
        }
        for (const record of opened.parsed.entries) {
          const finding = this.judge(opened, record);
          const known = findings.get(record.keyId);
          if (!known || FINDING_RANK[finding.status] > FINDING_RANK[known.status]) findings.set(record.keyId, finding);
        }
      } finally {
        zeroize(opened.reassembly.payload);
      }
    }
    const failed: Array<{ id: string; reason: string }> = [];
    for (const key of expected) {
      const reason = failureReason(key, findings.get(key.keyId), unreadable);
      if (reason) failed.push({ id: key.keyId, reason });
    }
    return { verified: expected.length - failed.length, failed };
  }

  /** Metadata of every backed-up key, for `vault rebuild` and reconciliation without the database. */
  async listEntries(): Promise<ListedEntry[]> {
    return (await this.inspect()).entries;
  }

  /** Like listEntries, plus the batches that are damaged and what is wrong with them. Never throws on damage. */
  async inspect(): Promise<{ entries: ListedEntry[]; damagedBatches: DamagedBatch[] }> {
    const batches: Array<() => Promise<OpenedBatch>> = [];
    for (const [batchId, indexes] of await this.batchIndex()) batches.push(() => this.openBatch(batchId, indexes));
    return this.inspectOpened(batches);
  }

  /**
   * Like inspect, for the batches named only, each read straight from its items (no listing of the
   * keychain). A named batch whose first item is absent is not in the keychain (the keys that point to
   * it show up as records without a backup); one whose first item is there but unreadable is damaged.
   */
  async inspectBatches(batchIds: readonly string[]): Promise<{ entries: ListedEntry[]; damagedBatches: DamagedBatch[] }> {
    const unreadable: DamagedBatch[] = [];
    const batches: Array<() => Promise<OpenedBatch | null>> = [];
    for (const batchId of batchIds) {
      batches.push(async () => {
        const found = await this.readNamedBatch(batchId);
        if (found === 'unreadable') unreadable.push({ batchId, problems: ['its first item is unreadable, so the batch cannot be read (run `byok backup verify --all` for details)'], keyIds: [] });
        return typeof found === 'string' ? null : found;
      });
    }
    const inspected = await this.inspectOpened(batches);
    return { entries: inspected.entries, damagedBatches: [...inspected.damagedBatches, ...unreadable] };
  }

  private async inspectOpened(batches: ReadonlyArray<() => Promise<OpenedBatch | null>>): Promise<{ entries: ListedEntry[]; damagedBatches: DamagedBatch[] }> {
    const entries: ListedEntry[] = [];
    const damagedBatches: DamagedBatch[] = [];
    for (const open of batches) {
      const opened = await open();
      if (!opened) continue;
      const { batchId } = opened;
      try {
        const records = opened.parsed?.entries ?? [];
        for (const record of records) {
          entries.push({ ...metadataOf(record), batchId, intact: entryMaterialIntact(opened.reassembly.payload, record, opened.reassembly.available) });
        }
        if (opened.problems.length > 0) damagedBatches.push({ batchId, problems: opened.problems, keyIds: records.map((record) => record.keyId) });
      } finally {
        zeroize(opened.reassembly.payload);
      }
    }
    return { entries, damagedBatches };
  }

  /** Removes a batch's items (rehearsal clean-up only). Returns how many items were deleted. */
  async deleteBatch(batchId: string): Promise<number> {
    assertBatchId(batchId);
    const indexes = (await this.batchIndex()).get(batchId) ?? [];
    let deleted = 0;
    for (const index of indexes) if (await this.keychain.delete(itemAccount(batchId, index))) deleted++;
    return deleted;
  }

  private refuseInvalidEntries(entries: readonly BackupEntry[]): void {
    if (entries.length === 0) throw new ByokError('INVALID_ARGUMENT', 'A backup batch needs at least one key.');
    const seen = new Set<string>();
    for (const entry of entries) {
      if (seen.has(entry.keyId)) throw new ByokError('INVALID_ARGUMENT', `Key ${entry.keyId} appears twice in one backup batch.`, { keyId: entry.keyId });
      seen.add(entry.keyId);
      if (entry.material.length === 0) throw new ByokError('INVALID_ARGUMENT', `Key ${entry.keyId} has no material to back up.`, { keyId: entry.keyId });
    }
  }

  private refuseMismatchedChecks(entries: readonly BackupEntry[]): void {
    for (const entry of entries) {
      if (!sameCheck(this.computeCheck(entry.spec, entry.material), entry.check)) {
        throw new ByokError('BACKUP_MISMATCH', `The material given for key ${entry.keyId} does not match its ${entry.check.kind}; nothing was written.`, { keyId: entry.keyId });
      }
    }
  }

  private async confirmWritten(batchId: string, accounts: readonly string[], entries: readonly BackupEntry[]): Promise<void> {
    const opened = await this.openBatch(batchId, accounts.map((_, index) => index));
    try {
      const records = opened.parsed?.entries ?? [];
      const mismatch = (what: string): ByokError =>
        new ByokError('BACKUP_MISMATCH', `The backup batch ${batchId} read back from the keychain differs from what was written (${what}); it was removed. Try again.`, { batchId });
      if (!opened.reassembly.intact || !opened.parsed) throw mismatch(opened.problems.join('; ') || 'unreadable');
      if (records.length !== entries.length) throw mismatch('wrong number of keys');
      for (const [i, entry] of entries.entries()) {
        const record = records[i]!;
        const material = opened.reassembly.payload.subarray(record.materialStart, record.materialEnd);
        const same =
          record.keyId === entry.keyId &&
          record.alias === entry.alias &&
          record.spec === entry.spec &&
          record.createdAt === entry.createdAt &&
          sameCheck(record.check, entry.check) &&
          equalBytes(material, entry.material);
        if (!same) throw mismatch(`key ${entry.keyId}`);
        // The keychain gave back exactly what was written, yet the material does not give the check it
        // was written with: the caller's check is wrong, and trying again would not help.
        if (!this.reproducesCheck(record, material)) {
          throw new ByokError('BACKUP_MISMATCH', `The material of key ${entry.keyId} does not give the ${entry.check.kind} it was to be backed up with; the batch ${batchId} was removed and nothing was recorded.`, { batchId, keyId: entry.keyId });
        }
      }
    } finally {
      zeroize(opened.reassembly.payload);
    }
  }

  private async withCleanup(error: unknown, accounts: readonly string[]): Promise<unknown> {
    const leftover: string[] = [];
    for (const account of accounts) {
      try {
        await this.keychain.delete(account);
      } catch {
        leftover.push(account);
      }
    }
    if (leftover.length === 0 || !(error instanceof ByokError)) return error;
    return new ByokError(
      error.code,
      `${error.message} ${leftover.length} partly written item(s) could not be removed; they are never read as a valid backup, and 'byok backup verify' lists them.`,
      { ...error.details, leftoverItems: leftover },
      { cause: error },
    );
  }

  /**
   * Opens the batch named (or every batch when none is), one at a time; the caller zeroes each
   * `reassembly.payload`. A named batch is read straight from its accounts: item 0 says how many items
   * there are. Listing is the fallback when item 0 is missing or unreadable (to name what is left), since
   * listing reads every item in the keychain, of every batch, and grows with the vault.
   */
  private async *openBatches(only?: string | null): AsyncGenerator<OpenedBatch> {
    if (only != null) {
      const direct = await this.openNamedBatch(only);
      if (direct) {
        yield direct;
        return;
      }
    }
    for (const [batchId, indexes] of await this.batchIndex()) {
      if (only != null && batchId !== only) continue;
      yield await this.openBatch(batchId, indexes);
    }
  }

  /** The batch read from its item accounts alone, or null when item 0 does not say how many there are. */
  private async openNamedBatch(batchId: string): Promise<OpenedBatch | null> {
    const found = await this.readNamedBatch(batchId);
    return typeof found === 'string' ? null : found;
  }

  /** The named batch read from its items, or why it could not be: no first item, or one that does not say how many there are. */
  private async readNamedBatch(batchId: string): Promise<OpenedBatch | 'missing' | 'unreadable'> {
    if (parseItemAccount(itemAccount(batchId, 0)) === null) return 'missing';
    const first = await this.keychain.get(itemAccount(batchId, 0));
    if (first === null) return 'missing';
    const count = declaredItemCount(batchId, 0, first);
    if (count === null) {
      zeroize(first);
      return 'unreadable';
    }
    return this.openBatch(batchId, Array.from({ length: count }, (_, index) => index), first);
  }

  /** Batch id -> item indexes present, from the keychain's account names. */
  private async batchIndex(): Promise<Map<string, number[]>> {
    const index = new Map<string, number[]>();
    for (const account of await this.keychain.list()) {
      const parsed = parseItemAccount(account);
      if (!parsed) continue;
      const indexes = index.get(parsed.batchId) ?? [];
      indexes.push(parsed.index);
      index.set(parsed.batchId, indexes);
    }
    for (const indexes of index.values()) indexes.sort((a, b) => a - b);
    return index;
  }

  /** Reads and reassembles a batch (item 0 may be given, already read). The caller zeroes `reassembly.payload`. */
  private async openBatch(batchId: string, indexes: readonly number[], firstItem?: Uint8Array): Promise<OpenedBatch> {
    const found: Array<{ index: number; bytes: Uint8Array | null }> = [];
    try {
      for (const index of indexes) {
        found.push({ index, bytes: index === 0 && firstItem ? firstItem : await this.keychain.get(itemAccount(batchId, index)) });
      }
      const reassembly = reassemble(batchId, found);
      const problems = [...reassembly.problems];
      let parsed: ParsedPayload | null = null;
      try {
        if (reassembly.payload.length > 0) parsed = parseBatchPayload(reassembly.payload, batchId, reassembly.available);
      } catch (error) {
        if (!(error instanceof ByokError)) throw error;
        problems.push(error.message);
      }
      return { batchId, reassembly, parsed, problems };
    } finally {
      zeroize(firstItem, ...found.map((item) => item.bytes));
    }
  }

  /** Whether the material gives its recorded check; material the check function rejects does not. */
  private reproducesCheck(record: PayloadEntryRecord, material: Uint8Array): boolean {
    try {
      return sameCheck(this.computeCheck(record.spec, material), record.check);
    } catch {
      return false;
    }
  }

  private judge(opened: OpenedBatch, record: PayloadEntryRecord): Finding {
    const { batchId, reassembly } = opened;
    if (!entryMaterialIntact(reassembly.payload, record, reassembly.available)) {
      return { status: 'damaged', batchId, reason: `damaged: backup batch ${batchId}: ${opened.problems.join('; ') || 'material does not match its digest'}` };
    }
    if (!this.reproducesCheck(record, reassembly.payload.subarray(record.materialStart, record.materialEnd))) {
      return { status: 'altered', batchId, reason: `altered: the material in backup batch ${batchId} does not produce its recorded ${record.check.kind}` };
    }
    return { status: 'ok', batchId, spec: record.spec, check: record.check };
  }
}

function metadataOf(record: PayloadEntryRecord): BackupEntryMetadata {
  return { keyId: record.keyId, alias: record.alias, spec: record.spec, check: { ...record.check }, createdAt: record.createdAt };
}

function failureReason(expected: ExpectedBackup, finding: Finding | undefined, unreadable: readonly string[]): string | null {
  if (!finding) {
    return unreadable.length > 0
      ? `missing: no readable backup of this key; damaged batch(es) could not be read: ${unreadable.join(', ')}`
      : 'missing: no backup of this key in the keychain';
  }
  if (finding.status !== 'ok') return finding.reason;
  if (finding.spec !== expected.spec) return `mismatch: backup batch ${finding.batchId} records spec ${finding.spec}, the vault says ${expected.spec}`;
  if (!sameCheck(finding.check, expected.check)) {
    return `mismatch: backup batch ${finding.batchId} has ${finding.check.kind} ${finding.check.value}, the vault has ${expected.check.kind} ${expected.check.value}`;
  }
  return null;
}
