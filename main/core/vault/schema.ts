// The vault's schema as an ordered list of migrations. The version lives in SQLite's `user_version`
// (stored in the file header, so it survives export). A vault opens at any older version and is upgraded
// in one transaction; a vault from newer code is refused rather than guessed at.
//
// Never store plaintext material or credentials here: keys hold check values (KCV / SPKI fingerprint) and
// a reference to their keychain backup; providers hold names and endpoints, never secrets.

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    description: 'keys, remote bindings, bundles, meta',
    sql: `
      CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE keys (
        id TEXT PRIMARY KEY,
        alias TEXT,
        description TEXT,
        spec TEXT NOT NULL,
        check_kind TEXT NOT NULL CHECK (check_kind IN ('kcv', 'fingerprint')),
        check_value TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        backup_ref TEXT,
        entropy_evidence TEXT,
        operator TEXT
      );
      CREATE INDEX keys_alias ON keys (alias);
      CREATE TABLE remote_bindings (
        key_id TEXT NOT NULL REFERENCES keys (id),
        provider TEXT NOT NULL,
        region TEXT NOT NULL DEFAULT '',
        remote_key_id TEXT NOT NULL,
        state TEXT NOT NULL,
        material_expiry TEXT,
        last_synced_at TEXT,
        PRIMARY KEY (key_id, provider, region)
      );
      CREATE TABLE bundles (
        id TEXT PRIMARY KEY,
        key_id TEXT NOT NULL REFERENCES keys (id),
        path TEXT NOT NULL,
        provider TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        created_at TEXT NOT NULL,
        parameters_valid_to TEXT,
        material_expiry TEXT,
        sha256 TEXT NOT NULL
      );
      CREATE INDEX bundles_key ON bundles (key_id);
    `,
  },
  {
    version: 2,
    description: 'key batches, offline sync queue, provider connections',
    sql: `
      ALTER TABLE keys ADD COLUMN batch_id TEXT;
      CREATE INDEX keys_batch ON keys (batch_id);
      CREATE TABLE sync_jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        key_id TEXT REFERENCES keys (id),
        provider TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        idempotency_key TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE INDEX sync_jobs_due ON sync_jobs (status, next_attempt_at);
      CREATE TABLE providers (
        name TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        region TEXT,
        project_id TEXT,
        endpoint TEXT
      );
    `,
  },
  {
    version: 3,
    description: 'when each key backup was last verified',
    sql: `ALTER TABLE keys ADD COLUMN backup_verified_at TEXT;`,
  },
  {
    version: 4,
    description: 'keychain backup batches, recorded before they are written',
    sql: `CREATE TABLE backup_batches (batch_id TEXT PRIMARY KEY, started_at TEXT NOT NULL);`,
  },
  {
    version: 5,
    description: 'the remote key each bundle was wrapped for (one remote key, one local key)',
    sql: `
      ALTER TABLE bundles ADD COLUMN remote_key_id TEXT;
      CREATE INDEX bundles_remote_key ON bundles (provider, remote_key_id);
    `,
  },
]);

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Pragmas are connection state: sql.js's export() reopens the database and resets them, so re-apply after. */
export const CONNECTION_PRAGMAS = 'PRAGMA foreign_keys = ON;';
