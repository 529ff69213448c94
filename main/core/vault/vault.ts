// The vault: one folder holding the key list and sync state (sql.js database, see vault-storage.ts for
// how saves stay durable and cheap), guarded by a single-writer lock. Mutations through the repositories
// take effect in memory at once and become durable only when save() resolves: call save() before telling
// anyone an operation succeeded. close() discards unsaved changes and releases the lock.
//
// The database is one in-memory state shared by everything in the process: save() makes *all* changes so
// far durable, whoever made them. So run one operation's mutations, then its save(), before the next
// operation mutates (the use cases do this), and never leave a half-done operation's rows in memory
// across an await that another operation's save() could land in.
import { mkdir, stat, unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { ByokError } from '../../../shared/errors.ts';
import { isoUtc } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { BACKUP_BATCHES_COMPLETE_KEY, BackupBatchesRepository } from './backup-batches-repository.ts';
import { BindingsRepository } from './bindings-repository.ts';
import { BundlesRepository } from './bundles-repository.ts';
import { syncFolder } from './durable-file.ts';
import { JobsRepository } from './jobs-repository.ts';
import { KeysRepository } from './keys-repository.ts';
import { MetaRepository } from './meta-repository.ts';
import { ProvidersRepository } from './providers-repository.ts';
import { vaultFiles } from './vault-files.ts';
import { VaultLock } from './vault-lock.ts';
import type { StaleLockRecovery } from './vault-lock.ts';
import { DEFAULT_JOURNAL_LIMIT_BYTES, VaultStorage } from './vault-storage.ts';
import { exists, quarantineDatabase, readVaultIdentity, writeVaultIdentity } from './vault-identity.ts';
import type { StorageOpenReport } from './vault-storage.ts';

export interface VaultOpenOptions {
  clock: Clock;
  /** Create the folder and database when missing (otherwise VAULT_NOT_FOUND). */
  create?: boolean;
  /** Journal size that triggers compaction into a new snapshot (at least the snapshot's size). */
  journalLimitBytes?: number;
  /**
   * Rebuild mode: a damaged or missing database is moved aside (never deleted) and a new, empty one is
   * created under the same vault id (from the vault.id file, or `vaultId`), to be refilled from the
   * keychain backups. Until the rebuild's save (see markRebuilt) the new database says a rebuild is
   * pending, and an ordinary open refuses it instead of showing an empty vault.
   */
  rebuild?: { vaultId?: string };
}

export interface VaultOpenReport extends StorageOpenReport {
  /** Set when a lock left by a process that no longer runs was removed to open the vault. */
  staleLockRecovered: StaleLockRecovery | null;
  /** Rebuild mode: the damaged files moved aside. */
  quarantined: string[];
}

const VAULT_ID_KEY = 'vault.id';
const CREATED_AT_KEY = 'vault.created_at';
const CEREMONY_PUBLIC_KEY_KEY = 'vault.ceremony_public_key';
/** Meta of a database created by a rebuild, from its first snapshot until the rebuild's save. */
const REBUILD_PENDING_KEY = 'vault.rebuild_pending';

/**
 * A rebuild under way, before its new database exists: written durably (holding the vault id) before the
 * damaged database is moved aside, removed once the new database (which carries REBUILD_PENDING_KEY
 * itself) is on disk. Covers the moment with no database at all, when even vault.id may be missing (a
 * rebuild given --vault-id): without it, `keys generate` would start a new vault under a new id there.
 * (Kept here rather than in vault-files.ts: only Vault.open reads or writes it.)
 */
function rebuildMarkerPath(folder: string): string {
  return join(folder, 'vault.rebuild-pending');
}

/** `vaultId`: when the folder's vault.id is missing too, the id the rebuild must be given again. */
function interruptedRebuild(folder: string, vaultId: string | null = null): ByokError {
  const command = vaultId ? `byok vault rebuild --vault-id ${vaultId}` : 'byok vault rebuild';
  return new ByokError(
    'VAULT_CORRUPT',
    `A vault rebuild in ${folder} was interrupted before it finished, so this vault's key list is incomplete. Run \`${command}\` again to finish it; the keychain backups were not touched.`,
    { dir: folder },
  );
}

export class Vault {
  readonly dir: string;
  readonly id: string;
  readonly openReport: VaultOpenReport;
  readonly keys: KeysRepository;
  readonly bindings: BindingsRepository;
  readonly bundles: BundlesRepository;
  readonly jobs: JobsRepository;
  readonly providers: ProvidersRepository;
  readonly meta: MetaRepository;
  readonly backupBatches: BackupBatchesRepository;
  private readonly storage: VaultStorage;
  private readonly lock: VaultLock;
  private closing: Promise<void> | null = null;

  private constructor(dir: string, storage: VaultStorage, lock: VaultLock, report: VaultOpenReport, clock: Clock) {
    this.dir = dir;
    this.storage = storage;
    this.lock = lock;
    this.openReport = report;
    const store = storage.store;
    this.keys = new KeysRepository(store);
    this.bindings = new BindingsRepository(store);
    this.bundles = new BundlesRepository(store);
    this.jobs = new JobsRepository(store, clock);
    this.providers = new ProvidersRepository(store);
    this.meta = new MetaRepository(store);
    this.backupBatches = new BackupBatchesRepository(store);
    this.id = String(store.one('SELECT v FROM meta WHERE k = ?', [VAULT_ID_KEY])?.v ?? '');
  }

  static async open(dir: string, options: VaultOpenOptions): Promise<Vault> {
    const folder = resolve(dir);
    if (!(await isFolder(folder))) {
      if (!options.create) {
        throw new ByokError('VAULT_NOT_FOUND', `No vault in ${folder}. Run \`byok keys generate\` to create one, or pass --vault with the folder of an existing vault.`, { dir: folder });
      }
      await mkdir(folder, { recursive: true, mode: 0o700 });
    }
    const files = vaultFiles(folder);
    const now = isoUtc(options.clock.now());
    const { lock, recovered } = await VaultLock.acquire(files.lock, files.lockRecovery, now);
    try {
      const knownId = await readVaultIdentity(files.identity);
      const marker = rebuildMarkerPath(folder);
      const interruptedId = await readVaultIdentity(marker);
      let markerOnDisk = interruptedId !== null;
      const quarantined: string[] = [];
      const openStorage = (create: boolean, id: string, rebuilding: boolean) =>
        VaultStorage.open(folder, {
          create,
          journalLimitBytes: options.journalLimitBytes ?? DEFAULT_JOURNAL_LIMIT_BYTES,
          initialize: (store) => {
            store.put('meta', { k: VAULT_ID_KEY, v: id });
            store.put('meta', { k: CREATED_AT_KEY, v: now });
            // A rebuilt database does not know its batches until the rebuild has walked the keychain:
            // until then a reconciliation must list the keychain, not trust an empty batch table.
            if (rebuilding) store.put('meta', { k: REBUILD_PENDING_KEY, v: now });
            else store.put('meta', { k: BACKUP_BATCHES_COMPLETE_KEY, v: '1' });
          },
        });
      let opened: Awaited<ReturnType<typeof VaultStorage.open>>;
      if (options.rebuild) {
        const id = options.rebuild.vaultId ?? knownId ?? interruptedId;
        try {
          opened = await openStorage(false, id ?? randomUUID(), false);
        } catch (error) {
          if (!(error instanceof ByokError) || (error.code !== 'VAULT_CORRUPT' && error.code !== 'VAULT_NOT_FOUND')) throw error;
          if (!id) {
            throw new ByokError('VAULT_CORRUPT', 'The vault database is unusable and the vault id (file vault.id) is missing, so the keychain backups cannot be located. Pass --vault-id with the id from a transcript or `byok vault info` output.', { dir: folder });
          }
          await writeVaultIdentity(marker, id); // durable before anything is moved
          markerOnDisk = true;
          quarantined.push(...(await quarantineDatabase(files, now)));
          opened = await openStorage(true, id, true);
        }
      } else {
        if (interruptedId !== null) throw interruptedRebuild(folder, knownId ? null : interruptedId);
        if (knownId && !(await exists(files.snapshot))) {
          throw new ByokError('VAULT_CORRUPT', `The vault database in ${folder} is missing (its id file is there). Run \`byok vault rebuild\` to recover the key list from the keychain backups.`, { dir: folder });
        }
        opened = await openStorage(options.create ?? false, randomUUID(), false);
      }
      const vault = new Vault(folder, opened.storage, lock, { ...opened.report, staleLockRecovered: recovered, quarantined }, options.clock);
      if (knownId && knownId !== vault.id) {
        await vault.storage.close();
        throw new ByokError('VAULT_CORRUPT', `vault.db belongs to vault ${vault.id} but this folder's vault.id says ${knownId}. Do not mix vault files; restore the matching database or run \`byok vault rebuild\`.`, { dir: folder });
      }
      if (!options.rebuild && vault.rebuildPending) {
        await vault.storage.close();
        throw interruptedRebuild(folder);
      }
      if (!knownId) await writeVaultIdentity(files.identity, vault.id);
      // The database on disk now says whether a rebuild is pending: the marker has done its part.
      if (options.rebuild && markerOnDisk) {
        await unlink(marker);
        await syncFolder(folder);
      }
      return vault;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** Makes every change so far durable (journal append + fdatasync). Resolve before reporting success. */
  /** Run at the start of every save(), synchronously: what they change is saved with it. */
  private readonly beforeSave: Array<() => void> = [];

  /** Adds a hook to every save (the core records the audit log's head this way; see audit-head-record.ts). */
  onBeforeSave(hook: () => void): void {
    this.beforeSave.push(hook);
  }

  save(): Promise<void> {
    for (const hook of this.beforeSave) hook();
    return this.storage.save();
  }

  /** Saves, then folds the journal into a fresh snapshot (normally done automatically and at close). */
  compact(): Promise<void> {
    return this.storage.compactNow();
  }

  get createdAt(): string {
    return String(this.storage.store.one('SELECT v FROM meta WHERE k = ?', [CREATED_AT_KEY])?.v ?? '');
  }

  /**
   * The ceremony signing key's public key (raw Ed25519, base64) as first used by this vault; null for a
   * vault that has not signed yet (or was rebuilt). See use-cases/ceremony-signer.ts.
   */
  get ceremonyPublicKey(): string | null {
    const value = this.storage.store.one('SELECT v FROM meta WHERE k = ?', [CEREMONY_PUBLIC_KEY_KEY])?.v;
    return value === undefined || value === null ? null : String(value);
  }

  /**
   * True from the moment a rebuild created this database until the rebuild's save (markRebuilt): the key
   * list may be incomplete. An ordinary open refuses such a vault; only a rebuild opens it.
   */
  get rebuildPending(): boolean {
    return this.storage.store.one('SELECT v FROM meta WHERE k = ?', [REBUILD_PENDING_KEY]) !== undefined;
  }

  /** The rebuild has recovered what the keychain holds (in memory: the rebuild's save makes it durable). */
  markRebuilt(): void {
    if (this.rebuildPending) this.storage.store.delete('meta', { k: REBUILD_PENDING_KEY });
  }

  /**
   * Keys whose record says this machine made a keychain backup (backupRef set) but not which batch holds
   * it (older vaults, some restores): only a listing of the keychain finds those. Keys known here by id
   * only (the connected machine of a two-machine ceremony: no backup here, backupRef null) do not count.
   */
  countBackupsWithoutBatch(): number {
    return Number(this.storage.store.one('SELECT count(*) AS n FROM keys WHERE batch_id IS NULL AND backup_ref IS NOT NULL')?.n ?? 0);
  }

  /** Records the ceremony public key (in memory: save() makes it durable). Never replaces one. */
  recordCeremonyPublicKey(publicKeyBase64: string): void {
    const recorded = this.ceremonyPublicKey;
    if (recorded !== null && recorded !== publicKeyBase64) throw new ByokError('INTERNAL', 'This vault already records another ceremony public key; it is never replaced.');
    this.storage.store.put('meta', { k: CEREMONY_PUBLIC_KEY_KEY, v: publicKeyBase64 });
  }

  /** Compacts (when nothing is unsaved), closes the database and releases the lock. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.storage.close();
      } finally {
        await this.lock.release();
      }
    })();
    return this.closing;
  }
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
