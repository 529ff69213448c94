// backup_batches: every keychain backup batch, recorded (and saved) before the batch is written. With the
// keys' own batch ids, it names every batch this vault may have in the keychain, so the routine
// reconciliation (keys list, vault info) reads those batches directly instead of listing the keychain,
// which reads every item of the service and hands back their secrets as text. A batch killed between
// its keychain write and its keys' records is still found: its intent was saved first.
import type { RowStore } from './row-store.ts';

export class BackupBatchesRepository {
  private readonly store: RowStore;

  constructor(store: RowStore) {
    this.store = store;
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
