// Connected providers as live adapters: the provider record from the vault, the credentials from the
// keychain, one adapter per provider name, made on first use — so a process that never touches a
// provider never loads an SDK nor opens a socket (the offline guarantee). Every call goes through the
// provider's rate limit.
import { ByokError } from '../../../../shared/errors.ts';
import type { ProviderRecord } from '../../vault/index.ts';
import type { CoreContext } from '../../use-cases/context.ts';
import type { AdapterConfig, AdapterCredentials, ConnectedProvider, KmsAdapter } from '../adapter.ts';
import { loadCredentials } from '../credentials.ts';
import { RateLimiters, type RateLimit } from './rate-limiter.ts';

export type AdapterFactory = (config: AdapterConfig, credentials: AdapterCredentials) => KmsAdapter | Promise<KmsAdapter>;

/**
 * Conservative request rates per provider (requests per second). The providers publish per-API quotas
 * per account and region that are at least this high for the calls we make (describe, parameters,
 * import); staying under them keeps a sync of hundreds of keys from being throttled. A loopback
 * endpoint is the simulator, which has no quota.
 */
export const RATE_LIMITS: Readonly<Record<ConnectedProvider | 'loopback', RateLimit>> = Object.freeze({
  aws: { perSecond: 10, burst: 10 },
  tencent: { perSecond: 10, burst: 10 },
  huawei: { perSecond: 5, burst: 5 },
  loopback: { perSecond: 2000, burst: 200 },
});

const CONNECTED: readonly string[] = ['huawei', 'tencent', 'aws'];

export function isLoopbackEndpoint(endpoint: string | null): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

export function defaultRateLimit(record: ProviderRecord): RateLimit {
  if (isLoopbackEndpoint(record.endpoint)) return RATE_LIMITS.loopback;
  return RATE_LIMITS[record.type as ConnectedProvider] ?? RATE_LIMITS.huawei;
}

export interface KmsConnection {
  record: ProviderRecord;
  type: ConnectedProvider;
  adapter: KmsAdapter;
}

export interface KmsConnectionsOptions {
  factory: AdapterFactory;
  limiters: RateLimiters;
  rateLimit?: (record: ProviderRecord) => RateLimit;
}

export class KmsConnections {
  private readonly context: CoreContext;
  private readonly options: KmsConnectionsOptions;
  private readonly open = new Map<string, Promise<KmsConnection>>();

  constructor(context: CoreContext, options: KmsConnectionsOptions) {
    this.context = context;
    this.options = options;
  }

  /** The provider's record, or PROVIDER_NOT_FOUND. */
  record(providerName: string): ProviderRecord {
    const record = this.context.vault.providers.get(providerName);
    if (!record) {
      throw new ByokError('PROVIDER_NOT_FOUND', `No provider named "${providerName}" is connected to this vault. See \`byok provider list\`, or add it with \`byok provider add\`.`);
    }
    return record;
  }

  get(providerName: string): Promise<KmsConnection> {
    let connection = this.open.get(providerName);
    if (!connection) {
      connection = this.connect(providerName);
      this.open.set(providerName, connection);
      connection.catch(() => this.open.delete(providerName));
    }
    return connection;
  }

  /** Drops a cached adapter (after `provider remove` or new credentials). */
  forget(providerName: string): void {
    this.open.delete(providerName);
  }

  private async connect(providerName: string): Promise<KmsConnection> {
    const record = this.record(providerName);
    if (!CONNECTED.includes(record.type)) {
      throw new ByokError('UNSUPPORTED', `Provider "${providerName}" is of type ${record.type}, which is offline-only: use bundles and the provider's own console.`);
    }
    const type = record.type as ConnectedProvider;
    const credentials = await loadCredentials(this.context.keychain, providerName);
    if (!credentials) {
      throw new ByokError('PROVIDER_NOT_CONNECTED', `Provider "${providerName}" has no credentials in this machine's keychain. Add them again with \`byok provider add --name ${providerName} ...\`.`);
    }
    const config: AdapterConfig = {
      type,
      region: record.region ?? '',
      ...(record.projectId ? { projectId: record.projectId } : {}),
      ...(record.endpoint ? { endpoint: record.endpoint } : {}),
    };
    const adapter = await this.options.factory(config, credentials);
    const bucket = this.options.limiters.for(providerName, (this.options.rateLimit ?? defaultRateLimit)(record));
    return { record, type, adapter: rateLimited(adapter, () => bucket.take()) };
  }
}

/** The same adapter with a rate-limit wait before every call. */
function rateLimited(adapter: KmsAdapter, take: () => Promise<void>): KmsAdapter {
  const getPublicKey = adapter.getPublicKey?.bind(adapter);
  const findKeysByAlias = adapter.findKeysByAlias?.bind(adapter);
  return {
    provider: adapter.provider,
    createExternalKey: async (input) => (await take(), adapter.createExternalKey(input)),
    getImportParameters: async (input) => (await take(), adapter.getImportParameters(input)),
    importMaterial: async (input) => (await take(), adapter.importMaterial(input)),
    deleteImportedMaterial: async (remoteKeyId) => (await take(), adapter.deleteImportedMaterial(remoteKeyId)),
    describeKey: async (remoteKeyId) => (await take(), adapter.describeKey(remoteKeyId)),
    listKeys: async () => (await take(), adapter.listKeys()),
    ...(getPublicKey ? { getPublicKey: async (remoteKeyId: string) => (await take(), getPublicKey(remoteKeyId)) } : {}),
    // One token for the search, though it lists and describes many keys: it runs only after an interrupted create.
    ...(findKeysByAlias ? { findKeysByAlias: async (alias: string) => (await take(), findKeysByAlias(alias)) } : {}),
  };
}
