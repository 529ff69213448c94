// Every change to the vault goes through here as a whole-row image: `put` (insert or update the full row)
// or `delete` (by primary key). The same image is applied to the in-memory database and kept as pending
// until save() writes it to the journal. Row images are idempotent, so replaying a journal record twice
// (see vault-storage.ts) gives the same database.
//
// Prepared statements are cached per SQL text. sql.js releases whose export() closes and reopens the
// connection free every prepared statement and reset connection pragmas (1.16 exports through SQLite's
// backup API and keeps both); the storage calls `afterExport()` either way, which drops the cache and
// re-applies the pragmas, so the vault does not depend on which behaviour the installed sql.js has.
import type { SqlValue, Statement } from 'sql.js';
import { ByokError } from '../../../shared/errors.ts';
import type { SqlDatabase } from './sql-engine.ts';
import { CONNECTION_PRAGMAS } from './schema.ts';

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

/** Columns and primary key of each table at the current schema; the journal may only name these. */
export const TABLES = Object.freeze({
  meta: { primaryKey: ['k'], columns: ['k', 'v'] },
  keys: {
    primaryKey: ['id'],
    columns: ['id', 'alias', 'description', 'spec', 'check_kind', 'check_value', 'created_at', 'status', 'backup_ref', 'entropy_evidence', 'operator', 'batch_id', 'backup_verified_at'],
  },
  remote_bindings: {
    primaryKey: ['key_id', 'provider', 'region'],
    columns: ['key_id', 'provider', 'region', 'remote_key_id', 'state', 'material_expiry', 'last_synced_at'],
  },
  bundles: {
    primaryKey: ['id'],
    columns: ['id', 'key_id', 'path', 'provider', 'algorithm', 'created_at', 'parameters_valid_to', 'material_expiry', 'sha256', 'remote_key_id'],
  },
  sync_jobs: {
    primaryKey: ['id'],
    columns: ['id', 'kind', 'key_id', 'provider', 'payload', 'status', 'attempts', 'next_attempt_at', 'last_error', 'idempotency_key', 'created_at'],
  },
  providers: { primaryKey: ['name'], columns: ['name', 'type', 'region', 'project_id', 'endpoint'] },
  backup_batches: { primaryKey: ['batch_id'], columns: ['batch_id', 'started_at'] },
} satisfies Record<string, { primaryKey: string[]; columns: string[] }>);

export type TableName = keyof typeof TABLES;

export type RowChange = { table: TableName; op: 'put'; row: Row } | { table: TableName; op: 'delete'; key: Row };

export class RowStore {
  private db: SqlDatabase;
  private statements = new Map<string, Statement>();
  private pending: RowChange[] = [];
  private transactionBuffer: RowChange[] | null = null;
  private readonly sqlByShape = new Map<string, string>();

  constructor(db: SqlDatabase) {
    this.db = db;
    this.db.exec(CONNECTION_PRAGMAS);
  }

  get database(): SqlDatabase {
    return this.db;
  }

  put(table: TableName, row: Row): void {
    this.record({ table, op: 'put', row });
  }

  /**
   * Adds a row that must not exist yet: a row with the same primary key makes SQLite refuse (and a
   * surrounding transaction roll back) instead of being overwritten, with no read before each insert.
   * The journal keeps it as a whole-row `put`, so replay stays idempotent.
   */
  insert(table: TableName, row: Row): void {
    const columns = this.checkedColumns(table, row);
    this.run(this.sqlFor(`insert ${table} ${columns.join(',')}`, () => `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`), columns.map((column) => row[column] ?? null));
    const change: RowChange = { table, op: 'put', row };
    if (this.transactionBuffer) this.transactionBuffer.push(change);
    else this.pending.push(change);
  }

  delete(table: TableName, key: Row): void {
    this.record({ table, op: 'delete', key });
  }

  /** Runs `change` atomically: all of its row changes apply and become pending, or none. */
  transaction<T>(change: () => T): T {
    if (this.transactionBuffer) return change();
    this.transactionBuffer = [];
    this.db.exec('BEGIN');
    try {
      const result = change();
      this.db.exec('COMMIT');
      this.pending.push(...this.transactionBuffer);
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    } finally {
      this.transactionBuffer = null;
    }
  }

  /** Applies a change without recording it: journal replay. */
  apply(change: RowChange): void {
    const spec = tableSpec(change.table);
    if (change.op === 'put') {
      const columns = this.checkedColumns(change.table, change.row);
      const sql = this.sqlFor(`put ${change.table} ${columns.join(',')}`, () => {
        const updates = columns.filter((column) => !(spec.primaryKey as readonly string[]).includes(column));
        return (
          `INSERT INTO ${change.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ` +
          `ON CONFLICT (${spec.primaryKey.join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'NOTHING'}`
        );
      });
      this.run(sql, columns.map((column) => change.row[column] ?? null));
    } else {
      const sql = `DELETE FROM ${change.table} WHERE ${spec.primaryKey.map((c) => `${c} = ?`).join(' AND ')}`;
      this.run(sql, spec.primaryKey.map((column) => change.key[column] ?? null));
    }
  }

  all(sql: string, params: SqlValue[] = []): Row[] {
    const statement = this.statement(sql);
    try {
      statement.bind(params);
      const rows: Row[] = [];
      // Column names once per query, values as an array per row: getAsObject asks the database for the
      // names again on every row, which made listing a 10,000-key vault several times slower.
      let names: string[] | undefined;
      while (statement.step()) {
        names ??= statement.getColumnNames();
        const values = statement.get();
        const row: Row = {};
        for (let index = 0; index < names.length; index++) row[names[index]!] = values[index] as Row[string];
        rows.push(row);
      }
      return rows;
    } finally {
      statement.reset();
    }
  }

  one(sql: string, params: SqlValue[] = []): Row | undefined {
    return this.all(sql, params)[0];
  }

  run(sql: string, params: SqlValue[] = []): void {
    const statement = this.statement(sql);
    try {
      statement.run(params);
    } finally {
      statement.reset();
    }
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Hands the pending changes to the saver; `restorePending` puts them back if the save failed. */
  takePending(): RowChange[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  restorePending(changes: RowChange[]): void {
    this.pending = [...changes, ...this.pending];
  }

  /** export() freed our statements and reset the pragmas: forget the one, re-apply the other. */
  afterExport(): void {
    this.statements.clear();
    this.db.exec(CONNECTION_PRAGMAS);
  }

  close(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
    this.db.close();
  }

  /** The row's columns, each checked against the schema (journal records are input too). */
  private checkedColumns(table: TableName, row: Row): string[] {
    const spec = tableSpec(table);
    const columns = Object.keys(row);
    for (const column of columns) if (!(spec.columns as readonly string[]).includes(column)) throw unknownColumn(table, column);
    return columns;
  }

  /** SQL text per statement shape, built once: a bulk insert runs the same shape a thousand times. */
  private sqlFor(shape: string, build: () => string): string {
    let sql = this.sqlByShape.get(shape);
    if (sql === undefined) {
      sql = build();
      this.sqlByShape.set(shape, sql);
    }
    return sql;
  }

  private record(change: RowChange): void {
    this.apply(change);
    if (this.transactionBuffer) this.transactionBuffer.push(change);
    else this.pending.push(change);
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function tableSpec(table: TableName): (typeof TABLES)[TableName] {
  const spec = Object.hasOwn(TABLES, table) ? TABLES[table] : undefined;
  if (!spec) throw new ByokError('VAULT_CORRUPT', `The vault journal names an unknown table.`, { table: String(table) });
  return spec;
}

function unknownColumn(table: string, column: string): ByokError {
  return new ByokError('VAULT_CORRUPT', `The vault journal names a column the schema does not have.`, { table, column });
}
