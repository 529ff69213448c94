// How the vault stays durable without its save cost growing with history.
//
// sql.js keeps the database in memory; the only way to persist it is export(), a copy of the whole file.
// Exporting and fsyncing a 10,000-key database on every save would make each save cost O(vault size).
// So the vault folder holds two files:
//
//   vault.db       a snapshot: a plain SQLite file (open it with any SQLite tool), replaced atomically
//                  (temp file, fsync, rename, fsync folder). meta 'vault.snapshot_save' = the number of
//                  the last save it contains.
//   vault.journal  an append-only log of row changes, one checksummed line per save() (row-journal.ts).
//                  A save appends one line and fdatasyncs it: cost O(changes), not O(vault).
//
// Open = load the snapshot, replay the journal records numbered after 'vault.snapshot_save', drop a torn
// tail (a crash mid-append; never reported saved), refuse damage elsewhere as VAULT_CORRUPT.
//
// Compaction folds the journal into a new snapshot when the journal outgrows max(journalLimitBytes,
// snapshot size) — so its O(vault) cost is paid at most once per O(vault) bytes of saves (amortised O(1))
// — and at close. Its steps, and why each crash point is safe:
//   1. export() synchronously, only while no change is pending (the snapshot must hold saved state only:
//      an unsaved half of an operation must never become durable);
//   2. write the snapshot off the save path (temp, fsync, rename, fsync folder). Saves continue meanwhile,
//      appending to the old journal, and are also kept in memory;
//      crash here: old snapshot + full journal, or new snapshot + full journal (records it already holds
//      are skipped by number; row images are idempotent anyway);
//   3. under the save lock, replace the journal with just the records saved since step 1 (temp + rename).
//
// export() may free prepared statements and reset pragmas (older sql.js): RowStore.afterExport() handles both.
import { open, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { ByokError } from '../../../shared/errors.ts';
import { replaceFileDurably, syncFolder } from './durable-file.ts';
import { encodeJournalRecord, parseJournal, corruptMessage } from './row-journal.ts';
import { RowStore } from './row-store.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.ts';
import { loadSqlEngine } from './sql-engine.ts';
import type { SqlDatabase } from './sql-engine.ts';
import { vaultFiles } from './vault-files.ts';

export const DEFAULT_JOURNAL_LIMIT_BYTES = 1024 * 1024;
const SNAPSHOT_SAVE_KEY = 'vault.snapshot_save';

export interface StorageOpenReport {
  created: boolean;
  /** Saves replayed from the journal over the snapshot. */
  replayedSaves: number;
  /** Bytes of an interrupted last journal append that were dropped (never reported saved). */
  droppedJournalTailBytes: number;
  /** The schema version the vault had before this open upgraded it, if it did. */
  migratedFrom: number | null;
  schemaVersion: number;
}

export interface StorageOptions {
  create: boolean;
  journalLimitBytes: number;
  /** Fills a brand-new vault (ids, creation time) before its first snapshot. */
  initialize: (store: RowStore) => void;
}

export class VaultStorage {
  readonly store: RowStore;
  private readonly files: ReturnType<typeof vaultFiles>;
  private readonly journalLimitBytes: number;
  private journal: FileHandle;
  private journalBytes: number;
  private journalDirty = false;
  private snapshotBytes: number;
  private lastSave: number;
  private saveChain: Promise<unknown> = Promise.resolve();
  private compaction: Promise<void> | null = null;
  private savedDuringCompaction: Buffer[] | null = null;
  private compactionFailedAtBytes: number | null = null;
  private closed = false;
  /** The last background compaction failure, if any (the journal still holds everything). */
  lastCompactionError: unknown = null;

  private constructor(files: ReturnType<typeof vaultFiles>, store: RowStore, journal: FileHandle, journalBytes: number, snapshotBytes: number, lastSave: number, journalLimitBytes: number) {
    this.files = files;
    this.store = store;
    this.journal = journal;
    this.journalBytes = journalBytes;
    this.snapshotBytes = snapshotBytes;
    this.lastSave = lastSave;
    this.journalLimitBytes = journalLimitBytes;
  }

  static async open(dir: string, options: StorageOptions): Promise<{ storage: VaultStorage; report: StorageOpenReport }> {
    const files = vaultFiles(dir);
    await removeLeftoverTemporaries(dir);
    const SQL = await loadSqlEngine();
    const snapshotExists = await exists(files.snapshot);
    const report: StorageOpenReport = { created: false, replayedSaves: 0, droppedJournalTailBytes: 0, migratedFrom: null, schemaVersion: SCHEMA_VERSION };

    if (!snapshotExists) {
      if (await exists(files.journal)) throw new ByokError('VAULT_CORRUPT', corruptMessage('vault.db is missing but its journal is there'), { dir });
      if (!options.create) throw notFound(dir);
      const store = new RowStore(new SQL.Database());
      migrate(store.database, 0);
      options.initialize(store);
      store.takePending(); // part of the first snapshot, not of a journal record
      setSnapshotSave(store, 0);
      const bytes = store.database.export();
      store.afterExport();
      await replaceFileDurably(files.snapshot, bytes);
      await writeFile(files.journal, new Uint8Array(0), { flag: 'wx' });
      await syncFolder(dir);
      report.created = true;
      const journal = await open(files.journal, 'r+');
      return { storage: new VaultStorage(files, store, journal, 0, bytes.length, 0, options.journalLimitBytes), report };
    }

    const store = new RowStore(loadSnapshot(SQL, await readFile(files.snapshot)));
    try {
      const version = userVersion(store.database);
      if (version > SCHEMA_VERSION) {
        throw new ByokError(
          'VAULT_TOO_NEW',
          `This vault was written by a newer version of BYOK Ceremony (schema ${version}; this version understands up to ${SCHEMA_VERSION}). Update the app; the vault was not changed.`,
          { schemaVersion: version, supported: SCHEMA_VERSION },
        );
      }
      const snapshotSave = Number(store.one('SELECT v FROM meta WHERE k = ?', [SNAPSHOT_SAVE_KEY])?.v ?? 0);
      const journalBytes = (await exists(files.journal)) ? await readFile(files.journal) : new Uint8Array(0);
      const parsed = parseJournal(journalBytes);
      const toReplay = parsed.records.filter((record) => record.n > snapshotSave);
      if (toReplay.length && toReplay[0]!.n !== snapshotSave + 1) {
        throw new ByokError('VAULT_CORRUPT', corruptMessage(`saves ${snapshotSave + 1} to ${toReplay[0]!.n - 1} are missing`), { snapshotSave });
      }
      try {
        store.database.exec('BEGIN');
        for (const record of toReplay) for (const change of record.changes) store.apply(change);
        store.database.exec('COMMIT');
      } catch (error) {
        if (error instanceof ByokError) throw error;
        throw new ByokError('VAULT_CORRUPT', corruptMessage('a journal record does not apply to the snapshot'), undefined, { cause: error });
      }
      report.replayedSaves = toReplay.length;
      report.droppedJournalTailBytes = parsed.tornTailBytes;

      if (!(await exists(files.journal))) {
        await writeFile(files.journal, new Uint8Array(0), { flag: 'wx' });
        await syncFolder(dir);
      }
      const journal = await open(files.journal, 'r+');
      if (parsed.tornTailBytes > 0) {
        await journal.truncate(parsed.intactBytes);
        await journal.sync();
      }
      const lastSave = toReplay.length ? toReplay[toReplay.length - 1]!.n : snapshotSave;
      const snapshotSize = (await stat(files.snapshot)).size;
      const storage = new VaultStorage(files, store, journal, parsed.intactBytes, snapshotSize, lastSave, options.journalLimitBytes);
      if (version < SCHEMA_VERSION) {
        migrate(store.database, version);
        report.migratedFrom = version;
        await storage.compactNow(); // journal records are row images of one schema: start the new one clean
      }
      return { storage, report };
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /** Appends the pending changes to the journal and fdatasyncs it. Resolves only once they are durable. */
  async save(): Promise<void> {
    this.assertOpen();
    await this.serialized(async () => {
      if (!this.store.hasPending) return;
      const changes = this.store.takePending();
      const line = encodeJournalRecord({ n: this.lastSave + 1, changes });
      try {
        if (this.journalDirty) await this.journal.truncate(this.journalBytes);
        this.journalDirty = true;
        await writeFully(this.journal, line, this.journalBytes);
        await this.journal.datasync();
        this.journalDirty = false;
      } catch (error) {
        this.store.restorePending(changes);
        throw new ByokError('STORAGE_FAILED', `Could not write the vault journal ${this.files.journal}: check free disk space and permissions. Nothing from this save was recorded as saved.`, { path: this.files.journal }, { cause: error });
      }
      this.journalBytes += line.length;
      this.lastSave += 1;
      this.savedDuringCompaction?.push(line);
    });
    if (this.compactionDue()) this.startCompaction();
  }

  /** Saves, then folds the journal into a new snapshot and waits for it. */
  async compactNow(): Promise<void> {
    await this.save();
    await this.compaction;
    if (this.store.hasPending) return;
    await this.startCompaction();
    if (this.lastCompactionError) throw this.lastCompactionError;
  }

  /** Waits for a background compaction; compacts a non-empty journal unless unsaved changes exist (those are discarded). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.compaction;
    try {
      if (!this.store.hasPending && this.journalBytes > 0) await this.startCompaction();
    } finally {
      this.closed = true;
      await this.journal.close();
      this.store.close();
    }
  }

  /** Resolves when no background compaction is running. */
  async settled(): Promise<void> {
    await this.compaction;
  }

  get journalSize(): number {
    return this.journalBytes;
  }

  private compactionDue(): boolean {
    if (this.compaction || this.store.hasPending || this.closed) return false;
    const limit = Math.max(this.journalLimitBytes, this.snapshotBytes, (this.compactionFailedAtBytes ?? 0) * 2);
    return this.journalBytes > limit;
  }

  private startCompaction(): Promise<void> {
    // Step 1 runs synchronously, with nothing pending: the snapshot holds exactly the saved state.
    setSnapshotSave(this.store, this.lastSave);
    const bytes = this.store.database.export();
    this.store.afterExport();
    this.savedDuringCompaction = [];
    this.lastCompactionError = null;
    const run = (async () => {
      try {
        await replaceFileDurably(this.files.snapshot, bytes);
        this.snapshotBytes = bytes.length;
        await this.serialized(async () => {
          const carried = Buffer.concat(this.savedDuringCompaction ?? []);
          await replaceFileDurably(this.files.journal, carried);
          await this.journal.close();
          this.journal = await open(this.files.journal, 'r+');
          this.journalBytes = carried.length;
          this.journalDirty = false;
        });
        this.compactionFailedAtBytes = null;
      } catch (error) {
        this.lastCompactionError = error;
        this.compactionFailedAtBytes = this.journalBytes;
      } finally {
        this.savedDuringCompaction = null;
      }
    })();
    this.compaction = run.finally(() => {
      this.compaction = null;
    });
    return this.compaction;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.saveChain.then(work);
    this.saveChain = result.catch(() => undefined);
    return result;
  }

  private assertOpen(): void {
    if (this.closed) throw new ByokError('STORAGE_FAILED', 'The vault is closed; open it again to save.');
  }
}

function loadSnapshot(SQL: Awaited<ReturnType<typeof loadSqlEngine>>, bytes: Uint8Array): SqlDatabase {
  let db: SqlDatabase | undefined;
  try {
    db = new SQL.Database(bytes);
    const check = db.exec('PRAGMA quick_check')[0]?.values[0]?.[0];
    if (check !== 'ok') throw new Error(`quick_check: ${String(check)}`);
    const hasMeta = db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").length > 0;
    if (!hasMeta) throw new Error('no meta table');
    return db;
  } catch (error) {
    db?.close();
    throw new ByokError('VAULT_CORRUPT', corruptMessage('vault.db is truncated or garbled'), { bytes: bytes.length }, { cause: error });
  }
}

function migrate(db: SqlDatabase, from: number): void {
  db.exec('BEGIN');
  try {
    for (const migration of MIGRATIONS) if (migration.version > from) db.exec(migration.sql);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw new ByokError('VAULT_CORRUPT', corruptMessage(`the upgrade from schema ${from} failed`), { from }, { cause: error });
  }
}

function userVersion(db: SqlDatabase): number {
  return Number(db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0);
}

function setSnapshotSave(store: RowStore, save: number): void {
  store.run('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v', [SNAPSHOT_SAVE_KEY, String(save)]);
}

async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}

/** Temp files of a snapshot or journal replacement that a crash interrupted (never renamed, so never live). */
async function removeLeftoverTemporaries(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const leftovers = names.filter((name) => /^\.vault\.(db|journal)\.[0-9a-f]+\.tmp$/.test(name));
  await Promise.all(leftovers.map((name) => unlink(join(dir, name)).catch(() => undefined)));
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function notFound(dir: string): ByokError {
  return new ByokError('VAULT_NOT_FOUND', `No vault in ${dir}. Run \`byok keys generate\` to create one, or pass --vault with the folder of an existing vault.`, { dir });
}
