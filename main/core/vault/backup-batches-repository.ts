// backup_batches: every keychain backup batch, recorded (and saved) before the batch is written. With the
// keys' own batch ids, it names every batch this vault may have in the keychain, so the routine
// reconciliation (keys list, vault info) reads those batches directly instead of listing the keychain,
// which reads every item of the service and hands back their secrets as text. A batch killed between
// its keychain write and its keys' records is still found: its intent was saved first.
import type { RowStore } from './row-store.ts';

/**
 * Set when the table names every batch the vault may have: at creation, or after one full listing of
 * the keychain in a vault that was upgraded to this schema (batches written before it were not recorded).
 */
export const BACKUP_BATCHES_COMPLETE_KEY = 'vault.backup_batches_complete';

export class BackupBatchesRepository {
  private readonly store: RowStore;

  constructor(store: RowStore) {
    this.store = store;
  }

  get complete(): boolean {
    return this.store.one('SELECT v FROM meta WHERE k = ?', [BACKUP_BATCHES_COMPLETE_KEY]) !== undefined;
  }

  /** After a full listing recorded every batch found (the caller saves). */
  markComplete(): void {
    this.store.put('meta', { k: BACKUP_BATCHES_COMPLETE_KEY, v: '1' });
  }

  /** Records a batch about to be written; the caller saves the vault before writing it. */
  recordStarted(batchId: string, startedAt: string): void {
    this.store.put('backup_batches', { batch_id: batchId, started_at: startedAt });
  }

  /** Every batch the vault knows of: recorded ones and those its keys point to, in a stable order. */
  knownIds(): string[] {
    return this.store
      .all('SELECT batch_id FROM backup_batches UNION SELECT batch_id FROM keys WHERE batch_id IS NOT NULL ORDER BY 1')
      .map((row) => String(row.batch_id));
  }
}
