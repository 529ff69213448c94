// The key table's listing reads fewer columns than the full records; it must say the same about them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FixedClock } from '../../../../main/core/clock.ts';
import { Vault, type KeyRecord } from '../../../../main/core/vault/index.ts';

let dir: string;
let vault: Vault;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'byok-listing-'));
  vault = await Vault.open(join(dir, 'vault'), { clock: new FixedClock('2026-11-25T12:00:00Z'), create: true });
});
afterEach(async () => {
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
});

function record(n: number, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: `key-${n}`,
    alias: n % 3 === 0 ? null : `alias-${n}`,
    description: n % 2 ? `about ${n}` : null,
    spec: n % 2 ? 'EC_P256' : 'AES_256',
    check: n % 2 ? { kind: 'fingerprint', value: 'ab'.repeat(32) } : { kind: 'kcv', value: 'A1B2C3' },
    createdAt: `2026-11-25T12:00:${String(n).padStart(2, '0')}Z`,
    status: n === 4 ? 'backup-missing' : 'active',
    backupRef: `batch-${n}`,
    entropyEvidence: { sources: [{ kind: 'os-csprng', bytes: 64 }] },
    operator: 'alice',
    batchId: `batch-${n}`,
    backupVerifiedAt: n === 2 ? '2026-11-25T13:00:00Z' : null,
    ...overrides,
  };
}

it('lists the same keys, in the same order, with the same values as the full records, for every filter', () => {
  vault.keys.insertMany(Array.from({ length: 12 }, (_, n) => record(n)));
  const pick = ({ id, alias, description, spec, check, createdAt, status, backupVerifiedAt }: KeyRecord) => ({ id, alias, description, spec, check, createdAt, status, backupVerifiedAt: backupVerifiedAt ?? null });
  // The full records come back as they went in (an independent check of the row reading both share).
  const inserted = Array.from({ length: 12 }, (_, n) => record(n));
  expect(vault.keys.list()).toEqual(inserted.map((key) => ({ ...key, backupVerifiedAt: key.backupVerifiedAt ?? null })));
  for (const filter of [{}, { spec: 'EC_P256' as const }, { search: 'alias-1' }, { search: 'about' }, { status: 'backup-missing' as const }, { batchId: 'batch-7' }]) {
    const full = vault.keys.list(filter);
    expect(full.length).toBeGreaterThan(0);
    expect(vault.keys.listSummaries(filter)).toEqual(full.map(pick));
  }
});
