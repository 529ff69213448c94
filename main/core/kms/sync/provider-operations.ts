// byok provider add | list | remove: connections by name; the credentials go straight to the keychain
// (account provider-credentials:<name>), the rest to the vault's providers table.
import type { ProviderAddRequest, ProviderSummary } from '../../../../shared/ceremony-api.ts';
import { ByokError } from '../../../../shared/errors.ts';
import type { ProviderRecord } from '../../vault/index.ts';
import { deleteCredentials, hasCredentials, storeCredentials } from '../credentials.ts';
import { isLoopbackEndpoint } from './kms-connections.ts';
import { CONNECTED_TYPES, type OperationServices } from './operation-support.ts';

const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function providerOperations(services: OperationServices) {
  const { core: context, connections } = services;
  const { vault, audit } = context;

  async function summary(record: ProviderRecord): Promise<ProviderSummary> {
    const stored = await hasCredentials(context.keychain, record.name);
    return {
      name: record.name,
      type: record.type as ProviderSummary['type'],
      region: record.region ?? '',
      ...(record.projectId ? { projectId: record.projectId } : {}),
      ...(record.endpoint ? { endpoint: record.endpoint } : {}),
      hasCredentials: stored,
      connected: stored && (CONNECTED_TYPES as readonly string[]).includes(record.type),
    };
  }

  return {
    async providerAdd(request: ProviderAddRequest) {
      if (!PROVIDER_NAME.test(request.name)) throw new ByokError('INVALID_ARGUMENT', 'A provider name is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit.');
      if (!(CONNECTED_TYPES as readonly string[]).includes(request.type)) throw new ByokError('INVALID_ARGUMENT', `Provider type must be one of ${CONNECTED_TYPES.join(', ')}.`);
      if (!/^[A-Za-z0-9-]{1,64}$/.test(request.region)) throw new ByokError('INVALID_ARGUMENT', 'The region must be the provider\'s region id, e.g. eu-west-1, ap-guangzhou or cn-north-4.');
      if (request.type === 'huawei' && !request.projectId) throw new ByokError('INVALID_ARGUMENT', 'Huawei Cloud needs --project-id (the project of the region, from "My Credentials").');
      if (request.endpoint !== undefined) {
        let url: URL;
        try {
          url = new URL(request.endpoint);
        } catch {
          throw new ByokError('INVALID_ARGUMENT', `The endpoint ${request.endpoint} is not a URL (e.g. https://kms.eu-west-1.amazonaws.com).`);
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ByokError('INVALID_ARGUMENT', 'The endpoint must be an https URL.');
        // Plain http only to this machine (the loopback simulator): wrapped material and tokens cross the network.
        if (url.protocol === 'http:' && !isLoopbackEndpoint(request.endpoint)) throw new ByokError('INVALID_ARGUMENT', 'The endpoint must use https; plain http is allowed only for the loopback simulator.');
        if (url.username || url.password) throw new ByokError('INVALID_ARGUMENT', 'The endpoint must not carry credentials; they go to the keychain.');
      }
      await storeCredentials(context.keychain, request.name, {
        accessKeyId: request.accessKeyId,
        secret: request.secret,
        ...(request.sessionToken ? { sessionToken: request.sessionToken } : {}),
      });
      const record: ProviderRecord = { name: request.name, type: request.type, region: request.region, projectId: request.projectId ?? null, endpoint: request.endpoint ?? null };
      // The event before the save that makes the change durable (here and in providerRemove): a process
      // killed in between leaves an event for a change the command never reported, never the reverse.
      await audit.append({ type: 'kms.sync', data: { action: 'provider-added', provider: record.name, providerType: record.type, region: record.region, endpoint: record.endpoint } });
      vault.providers.upsert(record);
      connections.forget(request.name);
      await vault.save();
      return summary(record);
    },

    async providerList() {
      return { providers: await Promise.all(vault.providers.list().map(summary)) };
    },

    async providerRemove(request: { name: string }) {
      const record = vault.providers.get(request.name);
      const hadCredentials = await deleteCredentials(context.keychain, request.name);
      if (!record) return { removed: hadCredentials };
      await audit.append({ type: 'kms.sync', data: { action: 'provider-removed', provider: request.name } });
      vault.providers.remove(request.name);
      connections.forget(request.name);
      await vault.save();
      return { removed: true };
    },

  };
}
