// meta: small vault-wide settings as key/value strings. Keys starting with "vault." are the vault's own.
import { ByokError } from '../../../shared/errors.ts';
import type { RowStore } from './row-store.ts';

export const RESERVED_META_PREFIX = 'vault.';

export class MetaRepository {
  private readonly store: RowStore;

  constructor(store: RowStore) {
    this.store = store;
  }

  get(key: string): string | undefined {
    const row = this.store.one('SELECT v FROM meta WHERE k = ?', [key]);
    return row ? String(row.v) : undefined;
  }

  set(key: string, value: string): void {
    if (key.startsWith(RESERVED_META_PREFIX)) {
      throw new ByokError('INVALID_ARGUMENT', `Meta keys starting with "${RESERVED_META_PREFIX}" belong to the vault itself; choose another name.`, { key });
    }
    this.store.put('meta', { k: key, v: value });
  }
}
