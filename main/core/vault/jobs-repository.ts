// sync_jobs: the offline queue of KMS work (imports, syncs) with retries and idempotency keys.
import { randomUUID } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import { isoUtc } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { NewSyncJob, SyncJob, SyncJobStatus } from './records.ts';
import type { Row, RowStore } from './row-store.ts';
import { nullableString } from './keys-repository.ts';

export class JobsRepository {
  private readonly store: RowStore;
  private readonly clock: Clock;

  constructor(store: RowStore, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Queues a job; a job with the same idempotency key already queued (or done) is returned instead. */
  enqueue(job: NewSyncJob): SyncJob {
    const existing = this.store.one('SELECT * FROM sync_jobs WHERE idempotency_key = ?', [job.idempotencyKey]);
    if (existing) return fromRow(existing);
    const now = isoUtc(this.clock.now());
    const created: SyncJob = {
      id: randomUUID(),
      kind: job.kind,
      keyId: job.keyId ?? null,
      provider: job.provider,
      payload: job.payload,
      status: 'queued',
      attempts: 0,
      nextAttemptAt: job.nextAttemptAt ?? now,
      lastError: null,
      idempotencyKey: job.idempotencyKey,
      createdAt: now,
    };
    this.store.put('sync_jobs', toRow(created));
    return created;
  }

  /** Marks the next due queued job running (one more attempt) and returns it, or undefined if none is due. */
  claimNext(filter: { provider?: string } = {}): SyncJob | undefined {
    const row = this.store.one(
      "SELECT * FROM sync_jobs WHERE status = 'queued' AND next_attempt_at <= ?1 AND (?2 IS NULL OR provider = ?2) ORDER BY next_attempt_at, created_at, id LIMIT 1",
      [isoUtc(this.clock.now()), filter.provider ?? null],
    );
    if (!row) return undefined;
    const job = fromRow(row);
    return this.write({ ...job, status: 'running', attempts: job.attempts + 1 });
  }

  complete(id: string): SyncJob {
    return this.write({ ...this.require(id), status: 'done', lastError: null });
  }

  /** Records a failed attempt: queued again at `retryAt`, or failed for good without it. */
  fail(id: string, error: string, options: { retryAt?: string } = {}): SyncJob {
    const job = this.require(id);
    return options.retryAt
      ? this.write({ ...job, status: 'queued', lastError: error, nextAttemptAt: options.retryAt })
      : this.write({ ...job, status: 'failed', lastError: error });
  }

  /** Jobs left running by a process that stopped (a crash) go back to the queue; returns how many. */
  requeueInterrupted(): number {
    const running = this.list({ status: 'running' });
    for (const job of running) this.write({ ...job, status: 'queued' });
    return running.length;
  }

  get(id: string): SyncJob | undefined {
    const row = this.store.one('SELECT * FROM sync_jobs WHERE id = ?', [id]);
    return row ? fromRow(row) : undefined;
  }

  list(filter: { status?: SyncJobStatus; keyId?: string; provider?: string } = {}): SyncJob[] {
    return this.store
      .all(
        'SELECT * FROM sync_jobs WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR key_id = ?2) AND (?3 IS NULL OR provider = ?3) ORDER BY created_at, id',
        [filter.status ?? null, filter.keyId ?? null, filter.provider ?? null],
      )
      .map(fromRow);
  }

  private require(id: string): SyncJob {
    const job = this.get(id);
    if (!job) throw new ByokError('INVALID_ARGUMENT', `No sync job with id ${id} in this vault.`, { jobId: id });
    return job;
  }

  private write(job: SyncJob): SyncJob {
    this.store.put('sync_jobs', toRow(job));
    return job;
  }
}

function toRow(job: SyncJob): Row {
  return {
    id: job.id,
    kind: job.kind,
    key_id: job.keyId,
    provider: job.provider,
    payload: JSON.stringify(job.payload),
    status: job.status,
    attempts: job.attempts,
    next_attempt_at: job.nextAttemptAt,
    last_error: job.lastError,
    idempotency_key: job.idempotencyKey,
    created_at: job.createdAt,
  };
}

function fromRow(row: Row): SyncJob {
  return {
    id: String(row.id),
    kind: String(row.kind),
    keyId: nullableString(row.key_id),
    provider: String(row.provider),
    payload: JSON.parse(String(row.payload)) as Record<string, unknown>,
    status: String(row.status) as SyncJobStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: String(row.next_attempt_at),
    lastError: nullableString(row.last_error),
    idempotencyKey: String(row.idempotency_key),
    createdAt: String(row.created_at),
  };
}
