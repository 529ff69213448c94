// Exponential backoff with jitter for failed KMS calls: the n-th retry waits a random time in
// [delay/2, delay], delay = min(cap, base · 2^(n-1)). The random half spreads retries of many jobs that
// failed together (a throttled burst) instead of sending them back in one wave; the fixed half keeps
// the wait growing. The random source is injected so tests are deterministic.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 500, capMs: 60_000 });

/** The wait before retry number `attempt` (1 = first retry). */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const delay = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.round(delay / 2 + (delay / 2) * random());
}
