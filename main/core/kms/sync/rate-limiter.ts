// Per-provider request rate limits: a token bucket per connected provider, so a sync of hundreds of
// keys stays under the KMS's API quota instead of provoking throttling. Time comes from the injected
// clock and waiting from the injected sleep, so tests run without real delays.
import type { Clock } from '../../clock.ts';

export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests that may go at once after a quiet spell. */
  burst: number;
}

export type Sleep = (milliseconds: number) => Promise<void>;

export const realSleep: Sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, Math.max(0, milliseconds)));

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly limit: RateLimit;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  /** Waiters are served in order, so a burst of callers cannot starve an earlier one. */
  private queue: Promise<void> = Promise.resolve();

  constructor(limit: RateLimit, clock: Clock, sleep: Sleep) {
    this.limit = limit;
    this.clock = clock;
    this.sleep = sleep;
    this.tokens = limit.burst;
    this.updatedAt = clock.now().getTime();
  }

  /** Resolves when one request may be sent. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeNow());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.clock.now().getTime();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.perSecond) / 1000);
    this.updatedAt = now;
  }

  private async takeNow(): Promise<void> {
    this.refill();
    while (this.tokens < 1) {
      await this.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.limit.perSecond));
      this.refill();
    }
    this.tokens -= 1;
  }
}

/** One bucket per provider name, created on first use. */
export class RateLimiters {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly clock: Clock;
  private readonly sleep: Sleep;

  constructor(clock: Clock, sleep: Sleep) {
    this.clock = clock;
    this.sleep = sleep;
  }

  for(providerName: string, limit: RateLimit): TokenBucket {
    let bucket = this.buckets.get(providerName);
    if (!bucket) {
      bucket = new TokenBucket(limit, this.clock, this.sleep);
      this.buckets.set(providerName, bucket);
    }
    return bucket;
  }
}
