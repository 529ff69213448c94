// bundles: every export bundle written, with its file's SHA-256 and the deadlines it was wrapped under.
import type { BundleRecord } from './records.ts';
import type { Row, RowStore } from './row-store.ts';
import { nullableString } from './keys-repository.ts';

export class BundlesRepository {
  private readonly store: RowStore;

  constructor(store: RowStore) {
    this.store = store;
  }

  insert(bundle: BundleRecord): void {
    this.store.put('bundles', {
      id: bundle.id,
      key_id: bundle.keyId,
      path: bundle.path,
      provider: bundle.provider,
      algorithm: bundle.algorithm,
      created_at: bundle.createdAt,
      parameters_valid_to: bundle.parametersValidTo,
      material_expiry: bundle.materialExpiry,
      sha256: bundle.sha256,
      remote_key_id: bundle.remoteKeyId ?? null,
    });
  }

  /** The keys (other than `keyId`) whose bundles were wrapped for `remoteKeyId` at a provider of type `provider`. */
  otherKeysWrappedFor(provider: string, remoteKeyId: string, keyId: string | null): string[] {
    return this.store
      .all('SELECT DISTINCT key_id FROM bundles WHERE provider = ?1 AND remote_key_id = ?2 AND (?3 IS NULL OR key_id <> ?3)', [provider, remoteKeyId, keyId])
      .map((row) => String(row.key_id));
  }

  list(filter: { keyId?: string } = {}): BundleRecord[] {
    return this.store.all('SELECT * FROM bundles WHERE (?1 IS NULL OR key_id = ?1) ORDER BY created_at, id', [filter.keyId ?? null]).map(fromRow);
  }
}

function fromRow(row: Row): BundleRecord {
  return {
    id: String(row.id),
    keyId: String(row.key_id),
    path: String(row.path),
    provider: String(row.provider),
    algorithm: String(row.algorithm),
    createdAt: String(row.created_at),
    parametersValidTo: nullableString(row.parameters_valid_to),
    materialExpiry: nullableString(row.material_expiry),
    sha256: String(row.sha256),
    remoteKeyId: nullableString(row.remote_key_id),
  };
}
