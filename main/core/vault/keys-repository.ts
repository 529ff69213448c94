// The keys table: one row per generated key, with its check value and where its backup lives.
import { ByokError } from '../../../shared/errors.ts';
import type { KeySpecName } from '../../../shared/key-specs.ts';
import type { KeyFilter, KeyListing, KeyRecord, KeyStatus } from './records.ts';
import type { Row, RowStore } from './row-store.ts';

export class KeysRepository {
  private readonly store: RowStore;

  constructor(store: RowStore) {
    this.store = store;
  }

  /** Inserts all records or none; an id already in the vault is refused. */
  insertMany(records: readonly KeyRecord[]): void {
    this.store.transaction(() => {
      for (const record of records) {
        try {
          this.store.insert('keys', toRow(record));
        } catch (error) {
          if (!isPrimaryKeyConflict(error)) throw error;
          throw new ByokError('INVALID_ARGUMENT', `A key with id ${record.id} is already in the vault; key ids are never reused.`, { keyId: record.id });
        }
      }
    });
  }

  insert(record: KeyRecord): void {
    this.insertMany([record]);
  }

  get(id: string): KeyRecord | undefined {
    const row = this.store.one('SELECT * FROM keys WHERE id = ?', [id]);
    return row ? fromRow(row) : undefined;
  }

  /** Keys in creation order (then id), filtered. */
  list(filter: KeyFilter = {}): KeyRecord[] {
    return this.select('*', filter).map(fromRow);
  }

  /**
   * What the key table shows, for the same filter: fewer columns than list() and no entropy evidence
   * to copy and parse, which is most of the cost of opening a 10,000-key vault.
   */
  listSummaries(filter: KeyFilter = {}): KeyListing[] {
    return this.select('id, alias, description, spec, check_kind, check_value, created_at, status, backup_verified_at', filter).map(listingFromRow);
  }

  private select(columns: string, filter: KeyFilter): Row[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.search) {
      where.push("(id LIKE ? ESCAPE '\\' OR alias LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')");
      const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(pattern, pattern, pattern);
    }
    const equalities: Array<[string, string | undefined]> = [['spec', filter.spec], ['status', filter.status], ['batch_id', filter.batchId]];
    for (const [column, value] of equalities) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const sql = `SELECT ${columns} FROM keys${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;
    return this.store.all(sql, params);
  }

  count(): number {
    return Number(this.store.one('SELECT count(*) AS n FROM keys')?.n ?? 0);
  }

  /** Keys whose record does not say which keychain batch holds their backup (older vaults, some restores). */
  countWithoutBatch(): number {
    return Number(this.store.one('SELECT count(*) AS n FROM keys WHERE batch_id IS NULL')?.n ?? 0);
  }

  /**
   * Keys this machine never backed up (no backup reference): on a connected machine, the keys it knows
   * only by id, whose material lives on the air-gapped machine.
   */
  idsWithoutBackupHere(): Set<string> {
    return new Set(this.store.all('SELECT id FROM keys WHERE backup_ref IS NULL').map((row) => String(row.id)));
  }

  updateStatus(id: string, status: KeyStatus): KeyRecord {
    return this.update(id, { status });
  }

  setBackupRef(id: string, backupRef: string | null): KeyRecord {
    return this.update(id, { backupRef });
  }

  /** Points the key at the keychain batch that now holds its backup (after a restore into a new batch). */
  moveToBatch(id: string, batchId: string): KeyRecord {
    return this.update(id, { batchId, backupRef: batchId });
  }

  /** Records when the key's backup was last verified (null: the last verification failed). */
  setBackupVerified(id: string, verifiedAt: string | null): KeyRecord {
    return this.update(id, { backupVerifiedAt: verifiedAt });
  }

  private update(id: string, change: Partial<Pick<KeyRecord, 'status' | 'backupRef' | 'backupVerifiedAt' | 'batchId'>>): KeyRecord {
    const current = this.get(id);
    if (!current) throw new ByokError('KEY_NOT_FOUND', `No key with id ${id} in this vault. List the keys with \`byok keys list\`.`, { keyId: id });
    const updated = { ...current, ...change };
    this.store.put('keys', toRow(updated));
    return updated;
  }
}

/** SQLite's refusal of a second row with the same primary key (sql.js reports it as an Error message). */
function isPrimaryKeyConflict(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed: keys\.id/.test(error.message);
}

/**
 * The keys of a batch share one frozen evidence object (entropy/draw-key-material.ts): serialised once
 * per object, not once per key. Only frozen objects are remembered, so a later change cannot go stale.
 */
const serialisedEvidence = new WeakMap<object, string>();
function evidenceJson(evidence: Record<string, unknown>): string {
  const known = serialisedEvidence.get(evidence);
  if (known !== undefined) return known;
  const json = JSON.stringify(evidence);
  if (Object.isFrozen(evidence)) serialisedEvidence.set(evidence, json);
  return json;
}

function toRow(record: KeyRecord): Row {
  return {
    id: record.id,
    alias: record.alias,
    description: record.description,
    spec: record.spec,
    check_kind: record.check.kind,
    check_value: record.check.value,
    created_at: record.createdAt,
    status: record.status,
    backup_ref: record.backupRef,
    entropy_evidence: record.entropyEvidence === null ? null : evidenceJson(record.entropyEvidence),
    operator: record.operator,
    batch_id: record.batchId,
    backup_verified_at: record.backupVerifiedAt ?? null,
  };
}

function listingFromRow(row: Row): KeyListing {
  return {
    id: String(row.id),
    alias: nullableString(row.alias),
    description: nullableString(row.description),
    spec: String(row.spec) as KeySpecName,
    check: { kind: row.check_kind === 'fingerprint' ? 'fingerprint' : 'kcv', value: String(row.check_value) },
    createdAt: String(row.created_at),
    status: String(row.status) as KeyStatus,
    backupVerifiedAt: nullableString(row.backup_verified_at),
  };
}

function fromRow(row: Row): KeyRecord {
  return {
    ...listingFromRow(row),
    backupRef: nullableString(row.backup_ref),
    entropyEvidence: row.entropy_evidence === null || row.entropy_evidence === undefined ? null : (JSON.parse(String(row.entropy_evidence)) as Record<string, unknown>),
    operator: nullableString(row.operator),
    batchId: nullableString(row.batch_id),
  };
}

export function nullableString(value: Row[string] | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}
