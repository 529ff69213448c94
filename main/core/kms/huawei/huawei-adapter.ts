// Huawei Cloud KMS (DEW) through our own signed client (no Node KMS SDK exists).
import { createPublicKey } from 'node:crypto';
import { ByokError } from '../../../../shared/errors.ts';
import type { KeySpecName } from '../../../../shared/key-specs.ts';
import { PROVIDERS } from '../../../../shared/providers.ts';
import { DEFAULT_TIMEOUT_MS, type AdapterConfig, type AdapterCredentials, type AdapterOptions, type KmsAdapter, type RemoteKeyState, type RemoteKeyStateName } from '../adapter.ts';
import { transportError } from '../errors.ts';
import { epochToIso, isoToEpochSeconds, stateFrom } from '../remote-state.ts';
import { HuaweiKmsClient } from './client.ts';

const SPECS: Partial<Record<KeySpecName, { keySpec: string; keyUsage: string }>> = {
  AES_256: { keySpec: 'AES_256', keyUsage: 'ENCRYPT_DECRYPT' },
  SM4: { keySpec: 'SM4', keyUsage: 'ENCRYPT_DECRYPT' },
  RSA_2048: { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' },
  RSA_3072: { keySpec: 'RSA_3072', keyUsage: 'SIGN_VERIFY' },
  RSA_4096: { keySpec: 'RSA_4096', keyUsage: 'SIGN_VERIFY' },
  EC_P256: { keySpec: 'EC_P256', keyUsage: 'SIGN_VERIFY' },
  EC_P384: { keySpec: 'EC_P384', keyUsage: 'SIGN_VERIFY' },
};

const STATES: Readonly<Record<string, RemoteKeyStateName>> = { '2': 'Enabled', '3': 'Disabled', '4': 'PendingDeletion', '5': 'PendingImport' };
const ORIGINS: Readonly<Record<string, RemoteKeyState['origin']>> = { external: 'external', kms: 'kms' };

/** Our algorithm name → the wrapping_algorithm Huawei's get-parameters call takes (from the provider table). */
function parametersAlgorithm(algorithm: string): string {
  for (const entry of Object.values(PROVIDERS.huawei.specs)) {
    if (entry?.algorithms.includes(algorithm as never)) return entry.parametersAlgorithm ?? algorithm;
  }
  throw new ByokError('ALGORITHM_NOT_ACCEPTED', `Huawei Cloud KMS does not take ${algorithm}; use RSAES_OAEP_SHA_256 (symmetric) or RSA_AES_KEY_WRAP_SHA_256 (RSA, EC).`);
}

export function createHuaweiAdapter(config: AdapterConfig, credentials: AdapterCredentials, options: AdapterOptions = {}): KmsAdapter {
  if (!config.projectId) throw new ByokError('INVALID_INPUT', 'A Huawei Cloud provider needs its project id (--project-id): every KMS call is project-scoped.');
  const client = new HuaweiKmsClient({
    baseUrl: config.endpoint ?? `https://kms.${config.region}.myhuaweicloud.com`,
    projectId: config.projectId,
    accessKey: credentials.accessKeyId,
    secretKey: credentials.secret,
    ...(credentials.sessionToken ? { securityToken: credentials.sessionToken } : {}),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });

  function toState(info: unknown, remoteKeyId: string): RemoteKeyState {
    if (info === null || typeof info !== 'object') throw transportError('huawei', 'describe-key', 'malformed');
    const keyInfo = info as Record<string, unknown>;
    const providerState = typeof keyInfo.key_state === 'string' ? keyInfo.key_state : 'unknown';
    // Unconfirmed whether describe-key's expiration_time is seconds or milliseconds: accept both.
    const expiration = keyInfo.expiration_time;
    const expirationNumber = typeof expiration === 'number' ? expiration : typeof expiration === 'string' && expiration !== '' ? Number(expiration) : 0;
    return {
      remoteKeyId: typeof keyInfo.key_id === 'string' ? keyInfo.key_id : remoteKeyId,
      state: stateFrom(STATES, providerState),
      materialExpiry: expirationNumber > 0 ? epochToIso(expirationNumber) : null,
      origin: ORIGINS[typeof keyInfo.origin === 'string' ? keyInfo.origin : ''] ?? 'unknown',
      providerState,
    };
  }

  async function listDetails(): Promise<unknown[]> {
    const details: unknown[] = [];
    let marker = '';
    for (;;) {
      const page = await client.call('list-keys', { limit: '1000', ...(marker ? { marker } : {}) });
      if (Array.isArray(page.key_details)) details.push(...(page.key_details as unknown[]));
      if (page.truncated !== 'true' || typeof page.next_marker !== 'string' || page.next_marker === '') break;
      marker = page.next_marker;
    }
    return details;
  }

  return {
    provider: 'huawei',
    async createExternalKey({ alias, spec, description }) {
      const entry = SPECS[spec];
      if (entry === undefined) throw new ByokError('SPEC_NOT_ACCEPTED', `Huawei Cloud KMS does not import ${spec} keys. Choose one of: ${Object.keys(SPECS).join(', ')}.`);
      const reply = await client.call('create-key', { key_alias: alias, key_spec: entry.keySpec, key_usage: entry.keyUsage, key_description: description ?? '', origin: 'external' });
      const keyInfo = reply.key_info as { key_id?: unknown } | undefined;
      if (typeof keyInfo?.key_id !== 'string') throw transportError('huawei', 'create-key', 'malformed');
      return { remoteKeyId: keyInfo.key_id };
    },
    async getImportParameters({ remoteKeyId, algorithm, wrappingKeySpec }) {
      if (wrappingKeySpec !== undefined && !PROVIDERS.huawei.wrappingKeySpecs.includes(wrappingKeySpec)) {
        throw new ByokError('ALGORITHM_NOT_ACCEPTED', `Huawei Cloud KMS issues ${PROVIDERS.huawei.wrappingKeySpecs.join(', ')} wrapping keys, not ${wrappingKeySpec}.`);
      }
      const wrappingAlgorithm = parametersAlgorithm(algorithm);
      const reply = await client.call('get-parameters-for-import', { key_id: remoteKeyId, wrapping_algorithm: wrappingAlgorithm });
      return { text: JSON.stringify({ ...reply, wrapping_algorithm: wrappingAlgorithm }) };
    },
    async importMaterial({ remoteKeyId, importTokenText, wrapped, materialExpiry }) {
      await client.call('import-key-material', {
        key_id: remoteKeyId,
        import_token: importTokenText,
        ...(wrapped.layout === 'single'
          ? { encrypted_key_material: Buffer.from(wrapped.ciphertext).toString('base64') }
          : {
              encrypted_key_material: Buffer.from(wrapped.encryptedKeyMaterial).toString('base64'),
              encrypted_privatekey: Buffer.from(wrapped.encryptedPrivateKey).toString('base64'),
            }),
        ...(materialExpiry === null ? {} : { expiration_time: isoToEpochSeconds(materialExpiry) }),
      });
    },
    async deleteImportedMaterial(remoteKeyId) {
      await client.call('delete-imported-key-material', { key_id: remoteKeyId });
    },
    async describeKey(remoteKeyId) {
      const reply = await client.call('describe-key', { key_id: remoteKeyId });
      return toState(reply.key_info, remoteKeyId);
    },
    async listKeys() {
      return (await listDetails()).map((info) => toState(info, ''));
    },
    // list-keys returns every key's details, key_alias included.
    async findKeysByAlias(alias) {
      return (await listDetails())
        .filter((info) => info !== null && typeof info === 'object' && (info as Record<string, unknown>).key_alias === alias)
        .map((info) => toState(info, ''))
        .filter((state) => state.state !== 'PendingDeletion');
    },
    async getPublicKey(remoteKeyId) {
      const reply = await client.call('get-publickey', { key_id: remoteKeyId });
      if (typeof reply.public_key !== 'string') throw transportError('huawei', 'get-publickey', 'malformed');
      const text = reply.public_key;
      try {
        const key = text.includes('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
        return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
      } catch {
        throw transportError('huawei', 'get-publickey', 'malformed');
      }
    },
  };
}
