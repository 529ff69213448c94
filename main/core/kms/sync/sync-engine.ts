// The outbound queue's runner. Jobs live in the vault (sync_jobs); a run claims a batch of due jobs,
// makes the claims durable (one journal append), runs them with bounded concurrency, records every
// outcome and the follow-up jobs in one more append, and goes on until nothing is due within the run's
// budget. A process killed at any moment leaves jobs queued or running; the next run re-queues the
// running ones, and since each job counts its attempts, a handler knows when to check the KMS before
// repeating a write (see job-handlers.ts). Failed attempts wait with exponential backoff and jitter;
// transient failures stay queued (nothing is lost), permanent ones are marked failed with the reason.
import { isByokError } from '../../../../shared/errors.ts';
import type { RunOptions } from '../../../../shared/ceremony-api.ts';
import { isoUtc } from '../../clock.ts';
import type { NewAuditEvent } from '../../audit/index.ts';
import type { SyncJob } from '../../vault/index.ts';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.ts';
import { handlerFor, type HandlerContext, type JobOutcome } from './job-handlers.ts';
import { describeFailure, isBlocking, isRetryable } from './retry.ts';
import { realSleep, type Sleep } from './rate-limiter.ts';

export interface SyncEngineOptions {
  backoff?: BackoffPolicy;
  random?: () => number;
  sleep?: Sleep;
  /** KMS calls in flight at once (default 4). */
  concurrency?: number;
  /** Jobs claimed per durable save (default 64). */
  batchSize?: number;
  /** Attempts after which a job that keeps failing transiently is marked failed (default 20). */
  maxAttempts?: number;
  /** How long one run keeps waiting for retries before it returns with jobs still queued (default 120 s). */
  runBudgetMs?: number;
  /**
   * Quick retries of a transient failure within the same claim, before the job goes back to the queue
   * with the persistent backoff (default 2, waiting 100-200 ms then 200-400 ms): most network blips and
   * throttling bursts pass within a second, and the queue's clock only counts whole seconds.
   */
  quickRetries?: number;
}

const QUICK_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 200, capMs: 800 });

export interface RunScope {
  provider?: string;
  /** Stop as soon as these jobs are done or failed (the run still works the provider's whole queue until then). */
  jobIds?: readonly string[];
  runBudgetMs?: number;
}

export interface RunResult {
  completed: Array<{ job: SyncJob; outcome: JobOutcome }>;
  failed: SyncJob[];
  /** Jobs of the scope still queued when the run returned. */
  pending: number;
  /** Why the run stopped pushing to a provider (credentials refused or missing, keychain locked). */
  blocked: Array<{ provider: string; reason: string }>;
}

export class SyncEngine {
  private readonly context: HandlerContext;
  private readonly options: Required<SyncEngineOptions>;
  /** Runs are serialized: one process, one runner, so a job is never claimed twice. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(context: HandlerContext, options: SyncEngineOptions = {}) {
    this.context = context;
    this.options = {
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? realSleep,
      concurrency: options.concurrency ?? 4,
      batchSize: options.batchSize ?? 64,
      maxAttempts: options.maxAttempts ?? 20,
      runBudgetMs: options.runBudgetMs ?? 120_000,
      quickRetries: options.quickRetries ?? 2,
    };
  }

  get sleep(): Sleep {
    return this.options.sleep;
  }

  get backoff(): BackoffPolicy {
    return this.options.backoff;
  }

  get random(): () => number {
    return this.options.random;
  }

  run(scope: RunScope = {}, runOptions: RunOptions = {}): Promise<RunResult> {
    const result = this.tail.then(() => this.runNow(scope, runOptions));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Waits for the current run, if any. */
  async idle(): Promise<void> {
    await this.tail;
  }

  private async runNow(scope: RunScope, runOptions: RunOptions): Promise<RunResult> {
    const { vault, clock } = this.context.core;
    // Only this process holds the vault lock and runs are serialized: a running job now is a leftover
    // of a process that stopped mid-job.
    if (vault.jobs.requeueInterrupted() > 0) await vault.save();
    const deadline = clock.now().getTime() + (scope.runBudgetMs ?? this.options.runBudgetMs);
    const result: RunResult = { completed: [], failed: [], pending: 0, blocked: [] };
    const watched = scope.jobIds ? new Set(scope.jobIds) : null;
    const filter = scope.provider ? { provider: scope.provider } : {};
    let done = 0;
    // For progress only: the queue as the run found it, plus the follow-ups it adds.
    let total = vault.jobs.list({ status: 'queued', ...filter }).length;
    for (;;) {
      if (runOptions.signal?.aborted) break;
      if (watched && [...watched].every((id) => isSettled(vault.jobs.get(id)))) break;
      const claimed: SyncJob[] = [];
      while (claimed.length < this.options.batchSize) {
        const job = vault.jobs.claimNext(filter);
        if (!job) break;
        claimed.push(job);
      }
      if (claimed.length === 0) {
        const queued = vault.jobs.list({ status: 'queued', ...filter });
        if (queued.length === 0) break;
        const nextAt = Math.min(...queued.map((job) => Date.parse(job.nextAttemptAt)));
        if (nextAt > deadline) break;
        await this.options.sleep(Math.max(1, nextAt - clock.now().getTime()));
        continue;
      }
      await vault.save(); // the claims (attempt counts) are durable before any KMS call
      const settled = await runPool(claimed, this.options.concurrency, (job) => this.attempt(job));
      // The events are appended before the save that marks the jobs done: a process killed in between
      // leaves them claimed (running), the next run asks the KMS, finds the write in place and records it
      // again; killed after the save, the log already holds them. The other way round, a job could be done
      // for good with no event ever written. So: decide, append, then change the rows and save at once.
      const events: NewAuditEvent[] = [];
      const permanent = new Set<string>();
      for (const [index, job] of claimed.entries()) {
        const outcome = settled[index]!;
        if (outcome.ok) {
          events.push(...(outcome.value.audit ?? []));
        } else if (!(isBlocking(outcome.error) || (isRetryable(outcome.error) && job.attempts < this.options.maxAttempts))) {
          permanent.add(job.id);
          events.push({ type: 'kms.sync', data: { action: 'job-failed', jobId: job.id, kind: job.kind, keyId: job.keyId, provider: job.provider, code: isByokError(outcome.error) ? outcome.error.code : 'KMS_TRANSIENT' } });
        }
      }
      if (events.length) await this.context.core.audit.appendMany(events);
      for (const [index, job] of claimed.entries()) {
        const outcome = settled[index]!;
        if (outcome.ok) {
          outcome.value.apply?.();
          for (const followUp of outcome.value.followUps ?? []) {
            vault.jobs.enqueue(followUp);
            total++;
          }
          result.completed.push({ job: vault.jobs.complete(job.id), outcome: outcome.value });
        } else if (!permanent.has(job.id)) {
          // The queue stores whole seconds (ISO-8601 UTC): round up, or a short wait would round to none.
          const retryAt = new Date(Math.ceil((clock.now().getTime() + retryDelayMs(job.attempts, this.options.backoff, this.options.random)) / 1000) * 1000);
          vault.jobs.fail(job.id, describeFailure(outcome.error), { retryAt: isoUtc(retryAt) });
          if (isBlocking(outcome.error) && !result.blocked.some((entry) => entry.provider === job.provider)) {
            result.blocked.push({ provider: job.provider, reason: describeFailure(outcome.error) });
          }
        } else {
          result.failed.push(vault.jobs.fail(job.id, describeFailure(outcome.error)));
        }
      }
      await vault.save();
      done += claimed.length;
      runOptions.onProgress?.({ operation: 'sync', done: Math.min(done, total), total: Math.max(total, done), message: 'pushing queued KMS jobs' });
      // A connection problem will not fix itself within this run: leave the rest queued.
      if (result.blocked.length > 0) break;
    }
    result.pending = vault.jobs.list({ status: 'queued', ...filter }).length;
    return result;
  }

  /**
   * One claim of a job, with quick retries of transient failures. Each retry counts as a further attempt
   * for the handler, so it asks the KMS before repeating a write (the lost reply may have been a success).
   */
  private async attempt(job: SyncJob): Promise<JobOutcome> {
    const handler = handlerFor(job.kind);
    for (let retry = 0; ; retry++) {
      try {
        return await handler(retry === 0 ? job : { ...job, attempts: job.attempts + retry }, this.context);
      } catch (error) {
        if (retry >= this.options.quickRetries || !isRetryable(error) || isBlocking(error)) throw error;
        await this.options.sleep(retryDelayMs(retry + 1, QUICK_BACKOFF, this.options.random));
      }
    }
  }
}

function isSettled(job: SyncJob | undefined): boolean {
  return job === undefined || job.status === 'done' || job.status === 'failed';
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs `work` over `items` with at most `limit` in flight; never rejects. */
export async function runPool<I, T>(items: readonly I[], limit: number, work: (item: I) => Promise<T>): Promise<Array<Settled<T>>> {
  const results: Array<Settled<T>> = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { ok: true, value: await work(items[index]!) };
      } catch (error) {
        results[index] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
