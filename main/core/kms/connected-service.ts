// The connected-mode operations of the ceremony service: providers, sync, remote keys, parameters,
// imports and renewals. Composed once per process by ../ceremony.ts. Nothing here opens a socket or
// loads a provider SDK until an operation names a provider (the offline guarantee): adapters are made
// on first use by KmsConnections, through a dynamic import.
import type { CeremonyService, SyncJobSummary } from '../../../shared/ceremony-api.ts';
import type { ProviderRecord } from '../vault/index.ts';
import type { CoreContext } from '../use-cases/context.ts';
import { importOperations } from './sync/import-operations.ts';
import { KmsConnections, type AdapterFactory } from './sync/kms-connections.ts';
import type { OperationServices } from './sync/operation-support.ts';
import { providerOperations } from './sync/provider-operations.ts';
import { RateLimiters, realSleep, type RateLimit } from './sync/rate-limiter.ts';
import { remoteOperations, type DeleteMaterialOperation } from './sync/remote-operations.ts';
import { SyncEngine, type SyncEngineOptions } from './sync/sync-engine.ts';
import { runSync } from './sync/sync-run.ts';

export type { DeleteMaterialOperation } from './sync/remote-operations.ts';

export type ConnectedOperations = Pick<
  CeremonyService,
  'providerAdd' | 'providerList' | 'providerRemove' | 'sync' | 'syncJobs' | 'remoteCreateKey' | 'remoteParams' | 'importBundle' | 'renewKey'
>;

export interface ConnectedServicesOptions {
  /** Makes an adapter; the real one (createAdapter, loaded on first use) by default. */
  adapterFactory?: AdapterFactory;
  engine?: SyncEngineOptions;
  rateLimit?: (record: ProviderRecord) => RateLimit;
  /** How long `importBundle`, `renewKey` and `deleteMaterial` keep retrying before leaving the job to `byok sync`. */
  interactiveBudgetMs?: number;
}

const defaultFactory: AdapterFactory = async (config, credentials) => (await import('./create-adapter.ts')).createAdapter(config, credentials);

export function createConnectedServices(
  context: CoreContext,
  options: ConnectedServicesOptions = {},
): ConnectedOperations & DeleteMaterialOperation & { close(): Promise<void> } {
  const connections = new KmsConnections(context, {
    factory: options.adapterFactory ?? defaultFactory,
    limiters: new RateLimiters(context.clock, options.engine?.sleep ?? realSleep),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  });
  const engine = new SyncEngine({ core: context, connections }, options.engine);
  const services: OperationServices = { core: context, connections, engine, interactiveBudgetMs: options.interactiveBudgetMs ?? 30_000 };

  return {
    ...providerOperations(services),
    ...remoteOperations(services),
    ...importOperations(services),
    sync: (request, runOptions) => runSync(services, request, runOptions),
    async syncJobs() {
      const jobs: SyncJobSummary[] = context.vault.jobs.list().map((job) => ({
        id: job.id,
        kind: job.kind,
        keyId: job.keyId,
        provider: job.provider,
        status: job.status === 'queued' ? 'pending' : job.status,
        attempts: job.attempts,
        nextAttemptAt: job.status === 'queued' ? job.nextAttemptAt : null,
        lastError: job.lastError,
      }));
      return { jobs };
    },
    async close() {
      await engine.idle();
    },
  };
}
