// AWS KMS through the official @aws-sdk/client-kms. Retries are left to the sync engine (maxAttempts 1)
// so that one adapter call is one request and the engine's backoff, rate limits and idempotency hold.
import {
  CreateKeyCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  KMSClient,
  ListKeysCommand,
  type KeyMetadata,
  type KeySpec,
  type KeyUsageType,
} from '@aws-sdk/client-kms';
import { ByokError, isByokError } from '../../../../shared/errors.ts';
import type { KeySpecName } from '../../../../shared/key-specs.ts';
import { isoUtc } from '../../clock.ts';
import { DEFAULT_TIMEOUT_MS, unlessUnsure, type AdapterConfig, type AdapterCredentials, type AdapterOptions, type KmsAdapter, type RemoteKeyState, type RemoteKeyStateName } from '../adapter.ts';
import { mapProviderError, transportError } from '../errors.ts';
import { stateFrom } from '../remote-state.ts';

const SPECS: Partial<Record<KeySpecName, { keySpec: KeySpec; keyUsage: KeyUsageType }>> = {
  AES_256: { keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
  HMAC_224: { keySpec: 'HMAC_224', keyUsage: 'GENERATE_VERIFY_MAC' },
  HMAC_256: { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' },
  HMAC_384: { keySpec: 'HMAC_384', keyUsage: 'GENERATE_VERIFY_MAC' },
  HMAC_512: { keySpec: 'HMAC_512', keyUsage: 'GENERATE_VERIFY_MAC' },
  RSA_2048: { keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' },
  RSA_3072: { keySpec: 'RSA_3072', keyUsage: 'ENCRYPT_DECRYPT' },
  RSA_4096: { keySpec: 'RSA_4096', keyUsage: 'ENCRYPT_DECRYPT' },
  EC_P256: { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' },
  EC_P384: { keySpec: 'ECC_NIST_P384', keyUsage: 'SIGN_VERIFY' },
};

const STATES: Readonly<Record<string, RemoteKeyStateName>> = {
  PendingImport: 'PendingImport',
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDeletion: 'PendingDeletion',
};

const ORIGINS: Readonly<Record<string, RemoteKeyState['origin']>> = { EXTERNAL: 'external', AWS_KMS: 'kms' };

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: unknown;
}

/**
 * AWS has no key alias at CreateKey (aliases are separate resources) and DescribeKey does not return
 * tags, so the alias this product gives a key goes into its description as well as its `byok:alias` tag:
 * the description alone when none was asked for, else after it in brackets. That is what
 * `findKeysByAlias` reads (ListKeys + DescribeKey); a description edited in the console hides the key
 * from it.
 */
export function describedAs(alias: string, description: string | undefined): string {
  return description === undefined || description === '' ? alias : `${description} [${alias}]`;
}

function carriesAlias(description: string | undefined, alias: string): boolean {
  return description === alias || (description?.endsWith(` [${alias}]`) ?? false);
}

/** Errors of one key's DescribeKey that say nothing about the others: denied by its key policy, or gone. */
const UNREADABLE_KEY = ['PROVIDER_AUTH_FAILED', 'KMS_NOT_FOUND'];


export function createAwsAdapter(config: AdapterConfig, credentials: AdapterCredentials, options: AdapterOptions = {}): KmsAdapter {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = new KMSClient({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    // Only the endpoint the user configured on this connection (checked to be https or loopback), never
    // one from AWS_ENDPOINT_URL* or ~/.aws/config: signed requests carry import tokens and wrapped material.
    ignoreConfiguredEndpointUrls: true,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secret, ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}) },
    maxAttempts: 1,
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
  const secrets = [credentials.secret, credentials.accessKeyId, ...(credentials.sessionToken ? [credentials.sessionToken] : [])];

  async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toByokError(error as SdkError, operation);
    }
  }

  function toByokError(error: SdkError, operation: string): ByokError {
    const status = error.$metadata?.httpStatusCode;
    const name = error.name ?? '';
    if (status !== undefined && name !== '' && name !== 'Error' && !name.includes('Syntax')) {
      return mapProviderError('aws', { providerCode: name, httpStatus: status, ...(error.message ? { providerMessage: error.message } : {}) }, operation, secrets);
    }
    if (name === 'TimeoutError' || error.code === 'ETIMEDOUT' || /timeout/i.test(error.message ?? '')) return transportError('aws', operation, 'timeout');
    if (status !== undefined) return status >= 500 ? transportError('aws', operation, 'network') : transportError('aws', operation, 'malformed');
    if (/JSON|Unexpected|deserializ|parse/i.test(`${name} ${error.message ?? ''}`)) return transportError('aws', operation, 'malformed');
    return transportError('aws', operation, 'network');
  }

  function toState(metadata: KeyMetadata | undefined, remoteKeyId: string): RemoteKeyState {
    const providerState = metadata?.KeyState ?? 'Unknown';
    return {
      remoteKeyId: metadata?.Arn ?? metadata?.KeyId ?? remoteKeyId,
      state: stateFrom(STATES, providerState),
      materialExpiry: metadata?.ValidTo ? isoUtc(metadata.ValidTo) : null,
      origin: ORIGINS[metadata?.Origin ?? ''] ?? 'unknown',
      providerState,
    };
  }

  /**
   * Every key of the account with its metadata. `skipUnreadable` (the alias search): a key this principal
   * may not describe (a key policy that denies it), or one deleted meanwhile, is left out instead of
   * failing the whole search: it cannot be one this connection created.
   */
  async function listMetadata(options: { skipUnreadable?: boolean; skipped?: string[] } = {}): Promise<Array<{ keyId: string; metadata: KeyMetadata | undefined }>> {
    const found: Array<{ keyId: string; metadata: KeyMetadata | undefined }> = [];
    let marker: string | undefined;
    do {
      const page = await call('ListKeys', () => client.send(new ListKeysCommand({ Limit: 1000, ...(marker ? { Marker: marker } : {}) })));
      for (const entry of page.Keys ?? []) {
        const keyId = entry.KeyArn ?? entry.KeyId;
        if (!keyId) continue;
        try {
          found.push({ keyId, metadata: (await call('DescribeKey', () => client.send(new DescribeKeyCommand({ KeyId: keyId })))).KeyMetadata });
        } catch (error) {
          if (!(options.skipUnreadable && isByokError(error) && UNREADABLE_KEY.includes(error.code))) throw error;
          options.skipped?.push(keyId);
        }
      }
      marker = page.Truncated ? page.NextMarker : undefined;
    } while (marker);
    return found;
  }

  return {
    provider: 'aws',
    async createExternalKey({ alias, spec, description }) {
      const entry = SPECS[spec];
      if (entry === undefined) throw new ByokError('SPEC_NOT_ACCEPTED', `AWS KMS does not import ${spec} keys. Choose one of: ${Object.keys(SPECS).join(', ')}.`);
      const reply = await call('CreateKey', () =>
        client.send(
          new CreateKeyCommand({
            Origin: 'EXTERNAL',
            KeySpec: entry.keySpec,
            KeyUsage: entry.keyUsage,
            Description: describedAs(alias, description),
            Tags: [{ TagKey: 'byok:alias', TagValue: alias }],
          }),
        ),
      );
      const remoteKeyId = reply.KeyMetadata?.Arn ?? reply.KeyMetadata?.KeyId;
      if (!remoteKeyId) throw transportError('aws', 'CreateKey', 'malformed');
      return { remoteKeyId };
    },
    async getImportParameters({ remoteKeyId, algorithm, wrappingKeySpec }) {
      const reply = await call('GetParametersForImport', () =>
        client.send(new GetParametersForImportCommand({ KeyId: remoteKeyId, WrappingAlgorithm: algorithm as 'RSAES_OAEP_SHA_256', WrappingKeySpec: wrappingKeySpec ?? 'RSA_2048' })),
      );
      if (!reply.KeyId || !reply.ImportToken || !reply.PublicKey || !reply.ParametersValidTo) throw transportError('aws', 'GetParametersForImport', 'malformed');
      // The wire reply as the API sends it, plus what was asked for (as `aws kms` users save it).
      const text = JSON.stringify({
        KeyId: reply.KeyId,
        ImportToken: Buffer.from(reply.ImportToken).toString('base64'),
        PublicKey: Buffer.from(reply.PublicKey).toString('base64'),
        ParametersValidTo: reply.ParametersValidTo.getTime() / 1000,
        WrappingAlgorithm: algorithm,
        WrappingKeySpec: wrappingKeySpec ?? 'RSA_2048',
      });
      return { text };
    },
    async importMaterial({ remoteKeyId, importToken, wrapped, materialExpiry }) {
      if (wrapped.layout !== 'single') throw new ByokError('INVALID_ARGUMENT', 'AWS KMS takes the wrapped material as one blob (RSA ciphertext, or RSA ‖ AES-KWP); got two fields.');
      await call('ImportKeyMaterial', () =>
        client.send(
          new ImportKeyMaterialCommand({
            KeyId: remoteKeyId,
            ImportToken: importToken,
            EncryptedKeyMaterial: wrapped.ciphertext,
            ...(materialExpiry === null ? { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } : { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(materialExpiry) }),
          }),
        ),
      );
    },
    async deleteImportedMaterial(remoteKeyId) {
      await call('DeleteImportedKeyMaterial', () => client.send(new DeleteImportedKeyMaterialCommand({ KeyId: remoteKeyId })));
    },
    async describeKey(remoteKeyId) {
      const reply = await call('DescribeKey', () => client.send(new DescribeKeyCommand({ KeyId: remoteKeyId })));
      return toState(reply.KeyMetadata, remoteKeyId);
    },
    async listKeys() {
      return (await listMetadata()).map(({ metadata, keyId }) => toState(metadata, keyId));
    },
    async findKeysByAlias(alias) {
      const skipped: string[] = [];
      const found = (await listMetadata({ skipUnreadable: true, skipped }))
        .filter(({ metadata }) => metadata !== undefined && carriesAlias(metadata.Description, alias))
        .map(({ metadata, keyId }) => toState(metadata, keyId))
        .filter((state) => state.state !== 'PendingDeletion');
      return unlessUnsure(found, skipped, alias);
    },
    async getPublicKey(remoteKeyId) {
      const reply = await call('GetPublicKey', () => client.send(new GetPublicKeyCommand({ KeyId: remoteKeyId })));
      if (!reply.PublicKey) throw transportError('aws', 'GetPublicKey', 'malformed');
      return new Uint8Array(reply.PublicKey);
    },
  };
}
