// remote_bindings: which KMS key (provider, region, remote id) holds a vault key's material, and its state.
import type { RemoteBinding } from './records.ts';
import type { Row, RowStore } from './row-store.ts';
import { nullableString } from './keys-repository.ts';

export class BindingsRepository {
  private readonly store: RowStore;

  constructor(store: RowStore) {
    this.store = store;
  }

  upsert(binding: RemoteBinding): void {
    this.store.put('remote_bindings', {
      key_id: binding.keyId,
      provider: binding.provider,
      region: binding.region,
      remote_key_id: binding.remoteKeyId,
      state: binding.state,
      material_expiry: binding.materialExpiry,
      last_synced_at: binding.lastSyncedAt,
    });
  }

  get(keyId: string, provider: string, region = ''): RemoteBinding | undefined {
    const row = this.store.one('SELECT * FROM remote_bindings WHERE key_id = ? AND provider = ? AND region = ?', [keyId, provider, region]);
    return row ? fromRow(row) : undefined;
  }

  list(filter: { keyId?: string; provider?: string } = {}): RemoteBinding[] {
    const rows = this.store.all(
      'SELECT * FROM remote_bindings WHERE (?1 IS NULL OR key_id = ?1) AND (?2 IS NULL OR provider = ?2) ORDER BY key_id, provider, region',
      [filter.keyId ?? null, filter.provider ?? null],
    );
    return rows.map(fromRow);
  }
}

function fromRow(row: Row): RemoteBinding {
  return {
    keyId: String(row.key_id),
    provider: String(row.provider),
    region: String(row.region ?? ''),
    remoteKeyId: String(row.remote_key_id),
    state: String(row.state),
    materialExpiry: nullableString(row.material_expiry),
    lastSyncedAt: nullableString(row.last_synced_at),
  };
}
