// remote_bindings: which KMS key (provider, region, remote id) holds a vault key's material, and its state.
import type { ProviderId } from '../../../shared/providers.ts';
import type { RemoteBinding, RemoteBindingView } from './records.ts';
import type { Row, RowStore } from './row-store.ts';
import { nullableString } from './keys-repository.ts';

const SELECT_WITH_TYPE = 'SELECT b.*, coalesce(p.type, b.provider) AS provider_type FROM remote_bindings b LEFT JOIN providers p ON p.name = b.provider';

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

  get(keyId: string, provider: string, region = ''): RemoteBindingView | undefined {
    const row = this.store.one(`${SELECT_WITH_TYPE} WHERE b.key_id = ? AND b.provider = ? AND b.region = ?`, [keyId, provider, region]);
    return row ? fromRow(row) : undefined;
  }

  list(filter: { keyId?: string; provider?: string; remoteKeyId?: string } = {}): RemoteBindingView[] {
    const rows = this.store.all(
      `${SELECT_WITH_TYPE} WHERE (?1 IS NULL OR b.key_id = ?1) AND (?2 IS NULL OR b.provider = ?2) AND (?3 IS NULL OR b.remote_key_id = ?3) ORDER BY b.key_id, b.provider, b.region`,
      [filter.keyId ?? null, filter.provider ?? null, filter.remoteKeyId ?? null],
    );
    return rows.map(fromRow);
  }
}

function fromRow(row: Row): RemoteBindingView {
  return {
    keyId: String(row.key_id),
    provider: String(row.provider),
    region: String(row.region ?? ''),
    remoteKeyId: String(row.remote_key_id),
    state: String(row.state),
    materialExpiry: nullableString(row.material_expiry),
    lastSyncedAt: nullableString(row.last_synced_at),
    providerType: String(row.provider_type ?? row.provider) as ProviderId,
  };
}
