// Which failures are worth retrying, and a retry loop for the calls that are not queued (state reads,
// parameter fetches for a request file): same backoff, same classification as the queue.
import { ByokError, isByokError } from '../../../../shared/errors.ts';
import { retryDelayMs, type BackoffPolicy } from './backoff.ts';
import type { Sleep } from './rate-limiter.ts';

const RETRYABLE_CODES = new Set(['KMS_TRANSIENT', 'KMS_THROTTLED', 'KMS_PROTOCOL']);

/**
 * Transient: the KMS or the network failed, the same request may succeed later. Anything that is not
 * a product error (a socket reset surfacing from an SDK, say) is treated as transient too: the queue's
 * attempt limit bounds it.
 */
export function isRetryable(error: unknown): boolean {
  if (!isByokError(error)) return true;
  if (error.details?.retryable === true) return true;
  return RETRYABLE_CODES.has(error.code);
}

/** A message safe to store and show: product messages as they are; anything else only by its kind. */
/**
 * Failures of the connection rather than of the job: missing or refused credentials, a locked keychain.
 * The job stays queued (it can succeed once the user fixes the connection) and the run stops pushing to
 * that provider instead of failing every job in turn.
 */
const BLOCKING_CODES = new Set(['PROVIDER_AUTH_FAILED', 'PROVIDER_NOT_CONNECTED', 'PROVIDER_NOT_FOUND', 'KEYCHAIN_LOCKED', 'KEYCHAIN_UNAVAILABLE']);

export function isBlocking(error: unknown): boolean {
  return isByokError(error) && BLOCKING_CODES.has(error.code);
}

export function describeFailure(error: unknown): string {
  if (isByokError(error)) return `${error.code}: ${error.message}`;
  const name = error instanceof Error ? error.name : 'error';
  const code = (error as { code?: unknown } | null)?.code;
  return `KMS_TRANSIENT: the request failed (${name}${typeof code === 'string' ? ` ${code}` : ''}); it will be retried.`;
}

export function asByokError(error: unknown): ByokError {
  if (isByokError(error)) return error;
  return new ByokError('KMS_TRANSIENT', describeFailure(error).replace(/^KMS_TRANSIENT: /, ''));
}

export interface RetryOptions {
  policy: BackoffPolicy;
  maxAttempts: number;
  sleep: Sleep;
  random?: () => number;
}

export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.maxAttempts || !isRetryable(error)) throw asByokError(error);
      await options.sleep(retryDelayMs(attempt, options.policy, options.random));
    }
  }
}
