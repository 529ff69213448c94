// Tencent Cloud KMS (2019-01-18) through the official tencentcloud-sdk-nodejs-common CommonClient.
// Symmetric only. The endpoint name stays kms.tencentcloudapi.com; an endpoint override only reroutes
// the connection (see routing-agent.ts).
import { createRequire } from 'node:module';
import { ByokError, isByokError } from '../../../../shared/errors.ts';
import { unlessUnsure } from '../adapter.ts';
import type { KeySpecName } from '../../../../shared/key-specs.ts';
import { DEFAULT_TIMEOUT_MS, type AdapterConfig, type AdapterCredentials, type AdapterOptions, type KmsAdapter, type RemoteKeyState, type RemoteKeyStateName } from '../adapter.ts';
import { mapProviderError, transportError } from '../errors.ts';
import { epochToIso, isoToEpochSeconds, stateFrom } from '../remote-state.ts';
import { routingAgent } from './routing-agent.ts';

// The SDK is CommonJS; load it the CommonJS way so its own module resolution applies.
const require = createRequire(import.meta.url);
const { CommonClient } = require('tencentcloud-sdk-nodejs-common') as {
  CommonClient: new (endpoint: string, version: string, config: Record<string, unknown>) => { request(action: string, body: Record<string, unknown>): Promise<Record<string, unknown>> };
};

export const TENCENT_KMS_ENDPOINT = 'kms.tencentcloudapi.com';
const API_VERSION = '2019-01-18';

/** Imported material is symmetric only: 256-bit in FIPS regions, 128-bit (SM4) in SM-crypto regions. */
const SPECS: Partial<Record<KeySpecName, true>> = { AES_256: true, SM4: true };

const STATES: Readonly<Record<string, RemoteKeyStateName>> = {
  PendingImport: 'PendingImport',
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDelete: 'PendingDeletion',
};

const ORIGINS: Readonly<Record<string, RemoteKeyState['origin']>> = { EXTERNAL: 'external', TENCENT_KMS: 'kms' };

interface SdkError {
  code?: string;
  httpCode?: number;
  message?: string;
  type?: string;
  name?: string;
}

export function createTencentAdapter(config: AdapterConfig, credentials: AdapterCredentials, options: AdapterOptions = {}): KmsAdapter {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const target = config.endpoint ? new URL(config.endpoint) : null;
  const client = new CommonClient(TENCENT_KMS_ENDPOINT, API_VERSION, {
    credential: { secretId: credentials.accessKeyId, secretKey: credentials.secret, ...(credentials.sessionToken ? { token: credentials.sessionToken } : {}) },
    region: config.region,
    profile: {
      httpProfile: {
        reqMethod: 'POST',
        reqTimeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
        protocol: target?.protocol === 'http:' ? 'http://' : 'https://',
        ...(target ? { agent: routingAgent(target, TENCENT_KMS_ENDPOINT) } : {}),
      },
    },
  });
  const secrets = [credentials.secret, credentials.accessKeyId, ...(credentials.sessionToken ? [credentials.sessionToken] : [])];

  async function call(action: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      return await client.request(action, body);
    } catch (caught) {
      const error = caught as SdkError;
      if (error.code) return Promise.reject(mapProviderError('tencent', { providerCode: error.code, ...(error.message ? { providerMessage: error.message } : {}) }, action, secrets));
      if (error.httpCode !== undefined) return Promise.reject(mapProviderError('tencent', { providerCode: `HTTP ${error.httpCode}`, httpStatus: error.httpCode }, action, secrets));
      const text = `${error.name ?? ''} ${error.type ?? ''} ${error.message ?? ''}`;
      if (/invalid.json|JSON|Unexpected end/i.test(text)) return Promise.reject(transportError('tencent', action, 'malformed'));
      if (/timeout/i.test(text)) return Promise.reject(transportError('tencent', action, 'timeout'));
      return Promise.reject(transportError('tencent', action, 'network'));
    }
  }

  function toState(metadata: Record<string, unknown> | undefined, remoteKeyId: string): RemoteKeyState {
    if (metadata === undefined) throw transportError('tencent', 'DescribeKey', 'malformed');
    const providerState = typeof metadata.KeyState === 'string' ? metadata.KeyState : 'Unknown';
    const validTo = typeof metadata.ValidTo === 'number' ? metadata.ValidTo : 0;
    return {
      remoteKeyId: typeof metadata.KeyId === 'string' ? metadata.KeyId : remoteKeyId,
      state: stateFrom(STATES, providerState),
      materialExpiry: validTo > 0 ? epochToIso(validTo) : null,
      origin: ORIGINS[typeof metadata.Origin === 'string' ? metadata.Origin : ''] ?? 'unknown',
      providerState,
    };
  }

  /** Every key's metadata; `skipUnreadable` (the alias search) leaves out a key this principal may not describe, or one gone meanwhile. */
  async function listMetadata(options: { skipUnreadable?: boolean; skipped?: string[] } = {}): Promise<Array<Record<string, unknown>>> {
    const found: Array<Record<string, unknown>> = [];
    const limit = 200;
    for (let offset = 0; ; offset += limit) {
      const page = await call('ListKeys', { Offset: offset, Limit: limit });
      const keys = Array.isArray(page.Keys) ? (page.Keys as Array<{ KeyId?: unknown }>) : [];
      for (const entry of keys) {
        if (typeof entry.KeyId !== 'string') continue;
        let reply: Record<string, unknown>;
        try {
          reply = await call('DescribeKey', { KeyId: entry.KeyId });
        } catch (error) {
          if (options.skipUnreadable && isByokError(error) && ['PROVIDER_AUTH_FAILED', 'KMS_NOT_FOUND'].includes(error.code)) {
            options.skipped?.push(entry.KeyId);
            continue;
          }
          throw error;
        }
        const metadata = reply.KeyMetadata as Record<string, unknown> | undefined;
        if (metadata === undefined) throw transportError('tencent', 'DescribeKey', 'malformed');
        found.push(metadata);
      }
      const total = typeof page.TotalCount === 'number' ? page.TotalCount : 0;
      if (keys.length === 0 || offset + limit >= total) break;
    }
    return found;
  }

  return {
    provider: 'tencent',
    async createExternalKey({ alias, spec, description }) {
      if (!SPECS[spec]) throw new ByokError('SPEC_NOT_ACCEPTED', `Tencent Cloud KMS imports only symmetric keys (AES_256, or SM4 in SM-crypto regions), not ${spec}.`);
      const reply = await call('CreateKey', { Alias: alias, Description: description ?? '', KeyUsage: 'ENCRYPT_DECRYPT', Type: 2 });
      if (typeof reply.KeyId !== 'string') throw transportError('tencent', 'CreateKey', 'malformed');
      return { remoteKeyId: reply.KeyId };
    },
    async getImportParameters({ remoteKeyId, algorithm, wrappingKeySpec }) {
      const reply = await call('GetParametersForImport', { KeyId: remoteKeyId, WrappingAlgorithm: algorithm, WrappingKeySpec: wrappingKeySpec ?? 'RSA_2048' });
      // The reply exactly as the API sends it, in its {"Response": …} envelope, plus the algorithm asked for.
      return { text: JSON.stringify({ Response: { ...reply, WrappingAlgorithm: algorithm } }) };
    },
    async importMaterial({ remoteKeyId, importTokenText, wrapped, materialExpiry }) {
      if (wrapped.layout !== 'single') throw new ByokError('INVALID_ARGUMENT', 'Tencent Cloud KMS takes the wrapped material as one RSA ciphertext; got two fields.');
      await call('ImportKeyMaterial', {
        KeyId: remoteKeyId,
        ImportToken: importTokenText,
        EncryptedKeyMaterial: Buffer.from(wrapped.ciphertext).toString('base64'),
        ValidTo: materialExpiry === null ? 0 : isoToEpochSeconds(materialExpiry),
      });
    },
    async deleteImportedMaterial(remoteKeyId) {
      await call('DeleteImportedKeyMaterial', { KeyId: remoteKeyId });
    },
    async describeKey(remoteKeyId) {
      const reply = await call('DescribeKey', { KeyId: remoteKeyId });
      return toState(reply.KeyMetadata as Record<string, unknown> | undefined, remoteKeyId);
    },
    async listKeys() {
      return (await listMetadata()).map((metadata) => toState(metadata, ''));
    },
    // ListKeys names the keys only; DescribeKey's KeyMetadata carries the Alias.
    async findKeysByAlias(alias) {
      const skipped: string[] = [];
      const found = (await listMetadata({ skipUnreadable: true, skipped }))
        .filter((metadata) => metadata.Alias === alias)
        .map((metadata) => toState(metadata, ''))
        .filter((state) => state.state !== 'PendingDeletion');
      return unlessUnsure(found, skipped, alias);
    },
  };
}
