// Which renewal attempt a sync queues for a key's expiry cycle (sync-run.ts renewalAttemptKey): a new one
// only when the last attempt's import was refused for its parameters (fresh ones cure that), never for a
// failure that would only repeat, and never more than three per cycle.
import { describe, expect, it } from 'vitest';
import type { SyncJob } from '../../../../../main/core/vault/index.ts';
import { idempotencyKeys } from '../../../../../main/core/kms/sync/job-payloads.ts';
import { renewalAttemptKey } from '../../../../../main/core/kms/sync/sync-run.ts';

const key = (attempt: number) => idempotencyKeys.renewal('aws', 'key-1', 'cycle-1', attempt);

function job(fields: Partial<SyncJob> & Pick<SyncJob, 'id' | 'kind' | 'status' | 'idempotencyKey'>): SyncJob {
  return { keyId: 'key-1', provider: 'aws', payload: {}, attempts: 1, nextAttemptAt: '2026-03-01T00:00:00Z', lastError: null, createdAt: '2026-03-01T00:00:00Z', ...fields };
}

/** Attempt `attempt`: its fetch done and the import it queued ended as given. */
function attemptJobs(attempt: number, importStatus: SyncJob['status'], lastError: string | null): SyncJob[] {
  return [
    job({ id: `fetch-${attempt}`, kind: 'fetch-params', status: 'done', idempotencyKey: key(attempt) }),
    job({ id: `import-${attempt}`, kind: 'import', status: importStatus, lastError, idempotencyKey: `import-${attempt}`, payload: { source: 'renewal', renewalOf: key(attempt) } }),
  ];
}

describe('renewalAttemptKey', () => {
  it('starts with the first attempt and keeps it while it is under way or done', () => {
    expect(renewalAttemptKey([], 'aws', 'key-1', 'cycle-1')).toBe(key(1));
    expect(renewalAttemptKey(attemptJobs(1, 'queued', null), 'aws', 'key-1', 'cycle-1')).toBe(key(1));
    expect(renewalAttemptKey(attemptJobs(1, 'done', null), 'aws', 'key-1', 'cycle-1')).toBe(key(1));
  });

  it('starts a new attempt when the import was refused for its parameters', () => {
    expect(renewalAttemptKey(attemptJobs(1, 'failed', 'KMS_TOKEN_EXPIRED: the token expired'), 'aws', 'key-1', 'cycle-1')).toBe(key(2));
    expect(renewalAttemptKey(attemptJobs(1, 'failed', 'KMS_TOKEN_KEY_MISMATCH: replaced'), 'aws', 'key-1', 'cycle-1')).toBe(key(2));
  });

  it('does not start another for a failure fresh parameters would not cure, nor after a failed fetch', () => {
    expect(renewalAttemptKey(attemptJobs(1, 'failed', 'KMS_MATERIAL_MISMATCH: IncorrectKeyMaterialException'), 'aws', 'key-1', 'cycle-1')).toBe(key(1));
    const failedFetch = [job({ id: 'fetch-1', kind: 'fetch-params', status: 'failed', lastError: 'BACKUP_MISSING: no backup here', idempotencyKey: key(1) })];
    expect(renewalAttemptKey(failedFetch, 'aws', 'key-1', 'cycle-1')).toBe(key(1));
  });

  it('stops at three attempts per cycle', () => {
    const jobs = [1, 2, 3].flatMap((attempt) => attemptJobs(attempt, 'failed', 'KMS_TOKEN_EXPIRED: the token expired'));
    expect(renewalAttemptKey(jobs, 'aws', 'key-1', 'cycle-1')).toBe(key(3));
  });
});
