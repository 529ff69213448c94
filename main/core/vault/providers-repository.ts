// providers: connected KMS accounts by name. Credentials are in the keychain; this table never holds them.
import type { ProviderRecord } from './records.ts';
import type { Row, RowStore } from './row-store.ts';
import { nullableString } from './keys-repository.ts';

export class ProvidersRepository {
  private readonly store: RowStore;

  constructor(store: RowStore) {
    this.store = store;
  }

  upsert(provider: ProviderRecord): void {
    this.store.put('providers', { name: provider.name, type: provider.type, region: provider.region, project_id: provider.projectId, endpoint: provider.endpoint });
  }

  get(name: string): ProviderRecord | undefined {
    const row = this.store.one('SELECT * FROM providers WHERE name = ?', [name]);
    return row ? fromRow(row) : undefined;
  }

  list(): ProviderRecord[] {
    return this.store.all('SELECT * FROM providers ORDER BY name').map(fromRow);
  }

  remove(name: string): void {
    this.store.delete('providers', { name });
  }
}

function fromRow(row: Row): ProviderRecord {
  return { name: String(row.name), type: String(row.type), region: nullableString(row.region), projectId: nullableString(row.project_id), endpoint: nullableString(row.endpoint) };
}
