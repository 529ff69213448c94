import { describe, expect, it } from 'vitest';
import { RowStore } from '../../../../main/core/vault/row-store.ts';
import { MIGRATIONS } from '../../../../main/core/vault/schema.ts';
import { loadSqlEngine } from '../../../../main/core/vault/sql-engine.ts';

async function freshStore(): Promise<RowStore> {
  const SQL = await loadSqlEngine();
  const db = new SQL.Database();
  for (const migration of MIGRATIONS) db.exec(migration.sql);
  return new RowStore(db);
}

describe('row store', () => {
  it('keeps every change as a whole-row image until it is taken for saving', async () => {
    const store = await freshStore();
    store.put('providers', { name: 'hw', type: 'huawei', region: 'cn-north-4', project_id: null, endpoint: null });
    store.put('providers', { name: 'hw', type: 'huawei', region: 'ap-southeast-1', project_id: 'p', endpoint: null });
    store.delete('providers', { name: 'hw' });
    expect(store.takePending().map((change) => change.op)).toEqual(['put', 'put', 'delete']);
    expect(store.hasPending).toBe(false);
  });

  it('replaying the same row images twice gives the same rows (idempotent)', async () => {
    const store = await freshStore();
    store.put('providers', { name: 'aws', type: 'aws', region: 'eu-west-1', project_id: null, endpoint: null });
    const changes = store.takePending();
    for (const change of [...changes, ...changes]) store.apply(change);
    expect(store.all('SELECT * FROM providers')).toEqual([{ name: 'aws', type: 'aws', region: 'eu-west-1', project_id: null, endpoint: null }]);
  });

  it('rolls back a failed transaction and records none of its changes', async () => {
    const store = await freshStore();
    expect(() =>
      store.transaction(() => {
        store.put('providers', { name: 'a', type: 'aws', region: null, project_id: null, endpoint: null });
        throw new Error('second step failed');
      }),
    ).toThrow('second step failed');
    expect(store.hasPending).toBe(false);
    expect(store.all('SELECT * FROM providers')).toEqual([]);
  });

  it('refuses a journal change that names a column the schema does not have', async () => {
    const store = await freshStore();
    expect(() => store.apply({ table: 'providers', op: 'put', row: { name: 'x', 'type) VALUES (1); DROP TABLE keys; --': 'y' } })).toThrow(
      expect.objectContaining({ code: 'VAULT_CORRUPT' }),
    );
  });

  it('keeps statements and the foreign-key pragma working after an export (older sql.js freed and reset them)', async () => {
    const store = await freshStore();
    store.put('providers', { name: 'a', type: 'aws', region: null, project_id: null, endpoint: null });
    store.database.export();
    store.afterExport();
    expect(store.one('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    expect(store.all('SELECT name FROM providers')).toEqual([{ name: 'a' }]);
    expect(() => store.put('remote_bindings', { key_id: 'no-such-key', provider: 'aws', region: '', remote_key_id: 'r', state: 'x', material_expiry: null, last_synced_at: null })).toThrow(/FOREIGN KEY/);
  });
});
