// The sync engine's public face.
export { SyncEngine, runPool, type RunResult, type RunScope, type SyncEngineOptions } from './sync-engine.ts';
export { KmsConnections, RATE_LIMITS, defaultRateLimit, isLoopbackEndpoint, type AdapterFactory, type KmsConnection } from './kms-connections.ts';
export { RateLimiters, TokenBucket, realSleep, type RateLimit, type Sleep } from './rate-limiter.ts';
export { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.ts';
export { isBlocking, isRetryable, withRetries } from './retry.ts';
export { classify, type Finding } from './state-findings.ts';
export { JOB_KINDS, idempotencyKeys, type ImportPayload, type FetchParamsPayload, type DeleteMaterialPayload, type JobKind } from './job-payloads.ts';
export { readNotes, writeNotes, type BindingNotes } from './binding-notes.ts';
export { preferredAlgorithm, reimportWhileEnabled, renewalExpiry, materialNeverExpires } from './renewal-policy.ts';
export { sameExpiry } from './job-handlers.ts';
export { providerOperations } from './provider-operations.ts';
export { remoteOperations, type DeleteMaterialOperation, type RemoteCreateKeyOptions } from './remote-operations.ts';
export { importOperations } from './import-operations.ts';
export { runSync, queuePendingBundles, importJobFromBundle, DEFAULT_RENEWAL_WINDOW_DAYS } from './sync-run.ts';
