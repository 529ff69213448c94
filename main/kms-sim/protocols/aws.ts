// AWS KMS, JSON 1.1 protocol: POST /, X-Amz-Target: TrentService.<Op>, SigV4 (service kms).
import { createPublicKey } from 'node:crypto';
import { SimRefusal, type RefusalReason } from '../sim-kms.ts';
import type { SimKey } from '../state-store.ts';
import { verifySigV4 } from '../verify/sigv4.ts';
import { decodeBase64, epochSeconds, jsonReply, parseJsonObject, str, type Protocol, type ProtocolContext, type WireReply, type WireRequest } from './protocol.ts';

const ACCOUNT_ID = '111122223333';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** AWS allows a material expiry at most 365 days ahead. */
const MAX_VALID_TO_MS = 365 * 24 * 60 * 60 * 1000;

const REFUSALS: Record<RefusalReason, string> = {
  NotFound: 'NotFoundException',
  InvalidState: 'KMSInvalidStateException',
  NotPendingImport: 'KMSInvalidStateException',
  TokenUnknown: 'InvalidImportTokenException',
  TokenExpired: 'ExpiredImportTokenException',
  TokenKeyMismatch: 'InvalidImportTokenException',
  TokenSuperseded: 'InvalidImportTokenException',
  MaterialMismatch: 'IncorrectKeyMaterialException',
  MaterialInvalid: 'IncorrectKeyMaterialException',
  CiphertextInvalid: 'InvalidCiphertextException',
  PrivateKeyMissing: 'InvalidCiphertextException',
  PrivateKeyInvalid: 'InvalidCiphertextException',
  ValidToInvalid: 'ValidationException',
  AlgorithmUnsupported: 'ValidationException',
  SpecUnsupported: 'ValidationException',
  CannotDeleteAsymmetric: 'UnsupportedOperationException',
  Validation: 'ValidationException',
};

const KEY_SPECS: Record<string, { kind: SimKey['kind']; size: number; usages: string[] }> = {
  SYMMETRIC_DEFAULT: { kind: 'symmetric', size: 32, usages: ['ENCRYPT_DECRYPT'] },
  HMAC_224: { kind: 'symmetric', size: 28, usages: ['GENERATE_VERIFY_MAC'] },
  HMAC_256: { kind: 'symmetric', size: 32, usages: ['GENERATE_VERIFY_MAC'] },
  HMAC_384: { kind: 'symmetric', size: 48, usages: ['GENERATE_VERIFY_MAC'] },
  HMAC_512: { kind: 'symmetric', size: 64, usages: ['GENERATE_VERIFY_MAC'] },
  RSA_2048: { kind: 'rsa', size: 2048, usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'] },
  RSA_3072: { kind: 'rsa', size: 3072, usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'] },
  RSA_4096: { kind: 'rsa', size: 4096, usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'] },
  ECC_NIST_P256: { kind: 'ec', size: 256, usages: ['SIGN_VERIFY'] },
  ECC_NIST_P384: { kind: 'ec', size: 384, usages: ['SIGN_VERIFY'] },
};

class AwsError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

function errorReply(type: string, message: string, requestId: string, status = 400): WireReply {
  return jsonReply(status, { __type: type, message }, { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId });
}

function keyIdOf(value: unknown): string {
  const text = str(value);
  if (text === undefined || text.length === 0) throw new AwsError('ValidationException', 'KeyId is required.');
  const arn = /^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/(.+)$/.exec(text);
  return arn ? arn[1]! : text;
}

function arnOf(region: string, keyId: string): string {
  return `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${keyId}`;
}

function metadata(key: SimKey, region: string): Record<string, unknown> {
  return {
    AWSAccountId: ACCOUNT_ID,
    KeyId: key.keyId,
    Arn: arnOf(region, key.keyId),
    CreationDate: epochSeconds(key.createdAt),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    Origin: key.origin,
    KeyManager: 'CUSTOMER',
    KeySpec: key.providerSpec,
    CustomerMasterKeySpec: key.providerSpec,
    MultiRegion: false,
    ...(key.validTo !== null ? { ValidTo: epochSeconds(key.validTo), ExpirationModel: 'KEY_MATERIAL_EXPIRES' } : {}),
    ...(key.materialPresent && key.validTo === null ? { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } : {}),
  };
}

type Operation = (body: Record<string, unknown>, context: ProtocolContext, region: string) => Promise<unknown>;

const OPERATIONS: Record<string, Operation> = {
  CreateKey: async (body, { kms }, region) => {
    if (body.Origin !== 'EXTERNAL') throw new AwsError('UnsupportedOperationException', 'The simulator creates only keys with Origin EXTERNAL.');
    const providerSpec = str(body.KeySpec) ?? str(body.CustomerMasterKeySpec) ?? 'SYMMETRIC_DEFAULT';
    const spec = KEY_SPECS[providerSpec];
    if (spec === undefined) throw new AwsError('ValidationException', `KeySpec ${providerSpec} is not valid for imported keys.`);
    const keyUsage = str(body.KeyUsage) ?? spec.usages[0]!;
    if (!spec.usages.includes(keyUsage)) throw new AwsError('ValidationException', `KeyUsage ${keyUsage} is not valid for ${providerSpec}.`);
    const tags = Array.isArray(body.Tags) ? (body.Tags as Array<{ TagKey?: unknown; TagValue?: unknown }>) : [];
    const alias = str(tags.find((tag) => tag.TagKey === 'byok:alias')?.TagValue) ?? '';
    const key = kms.createKey({ provider: 'aws', alias, description: str(body.Description) ?? '', providerSpec, kind: spec.kind, size: spec.size, keyUsage });
    return { KeyMetadata: metadata(key, region) };
  },
  GetParametersForImport: async (body, { kms }, region) => {
    const keyId = keyIdOf(body.KeyId);
    const wrappingAlgorithm = str(body.WrappingAlgorithm);
    const wrappingKeySpec = str(body.WrappingKeySpec);
    if (wrappingAlgorithm === undefined || wrappingKeySpec === undefined) throw new AwsError('ValidationException', 'WrappingAlgorithm and WrappingKeySpec are required.');
    const { parameters, importToken } = await kms.getParameters({ provider: 'aws', keyId, wrappingAlgorithm, wrappingKeySpec });
    return {
      KeyId: arnOf(region, keyId),
      ImportToken: importToken.toString('base64'),
      PublicKey: parameters.wrappingPublicKeySpki,
      ParametersValidTo: epochSeconds(parameters.validTo),
    };
  },
  ImportKeyMaterial: async (body, { kms }, region) => {
    const keyId = keyIdOf(body.KeyId);
    const importToken = decodeBase64(body.ImportToken);
    const encryptedKeyMaterial = decodeBase64(body.EncryptedKeyMaterial);
    if (importToken === null || encryptedKeyMaterial === null) throw new AwsError('ValidationException', 'ImportToken and EncryptedKeyMaterial must be base64 blobs.');
    const model = str(body.ExpirationModel) ?? 'KEY_MATERIAL_EXPIRES';
    let validTo: number | null = null;
    if (model === 'KEY_MATERIAL_EXPIRES') {
      if (typeof body.ValidTo !== 'number') throw new AwsError('ValidationException', 'ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.');
      validTo = Math.round(body.ValidTo * 1000);
    } else if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
      if (body.ValidTo !== undefined) throw new AwsError('ValidationException', 'ValidTo must be absent when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.');
    } else {
      throw new AwsError('ValidationException', `ExpirationModel ${model} is not valid.`);
    }
    const key = kms.importMaterial({
      provider: 'aws',
      keyId,
      importToken,
      wrapped: { encryptedKeyMaterial },
      validTo,
      validToLimit: kms.clock.now().getTime() + MAX_VALID_TO_MS,
    });
    return { KeyId: arnOf(region, key.keyId) };
  },
  DeleteImportedKeyMaterial: async (body, { kms }) => {
    kms.deleteMaterial('aws', keyIdOf(body.KeyId));
    return {};
  },
  DescribeKey: async (body, { kms }, region) => ({ KeyMetadata: metadata(kms.key('aws', keyIdOf(body.KeyId)), region) }),
  ListKeys: async (body, { kms }, region) => {
    const limit = typeof body.Limit === 'number' ? body.Limit : 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AwsError('ValidationException', 'Limit must be between 1 and 1000.');
    const start = str(body.Marker) === undefined ? 0 : Number(body.Marker);
    if (!Number.isInteger(start) || start < 0) throw new AwsError('ValidationException', 'Marker is not valid.');
    const keys = kms.keys('aws');
    const page = keys.slice(start, start + limit);
    const truncated = start + limit < keys.length;
    return { Keys: page.map((key) => ({ KeyId: key.keyId, KeyArn: arnOf(region, key.keyId) })), Truncated: truncated, ...(truncated ? { NextMarker: String(start + limit) } : {}) };
  },
  GetPublicKey: async (body, { kms }, region) => {
    const key = kms.key('aws', keyIdOf(body.KeyId));
    if (key.kind === 'symmetric') throw new AwsError('UnsupportedOperationException', `${key.providerSpec} keys have no public key.`);
    if (key.state !== 'Enabled' || key.publicKeySpki === null) throw new AwsError('KMSInvalidStateException', `Key ${key.keyId} is ${key.state}.`);
    // Re-encode through node:crypto to serve exactly a DER SubjectPublicKeyInfo.
    const spki = createPublicKey({ key: Buffer.from(key.publicKeySpki, 'base64'), format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' });
    return { KeyId: arnOf(region, key.keyId), PublicKey: spki.toString('base64'), KeySpec: key.providerSpec, CustomerMasterKeySpec: key.providerSpec, KeyUsage: key.keyUsage };
  },
};

export const awsProtocol: Protocol = {
  name: 'aws',
  matches: (request) => (request.headers['x-amz-target'] ?? '').toString().startsWith('TrentService.'),
  async handle(request: WireRequest, context: ProtocolContext): Promise<WireReply> {
    const credentials = context.credentials.aws;
    const verdict = verifySigV4(request, (id) => (credentials !== undefined && id === credentials.accessKeyId ? credentials.secretAccessKey : undefined), context.realNow);
    if (!verdict.ok) {
      const type = verdict.reason === 'unknown-key' ? 'UnrecognizedClientException' : verdict.reason === 'expired' ? 'InvalidSignatureException' : verdict.reason === 'malformed' ? 'IncompleteSignatureException' : 'InvalidSignatureException';
      return errorReply(type, verdict.detail, context.requestId);
    }
    const operationName = request.headers['x-amz-target']!.toString().slice('TrentService.'.length);
    const operation = OPERATIONS[operationName];
    if (operation === undefined) return errorReply('UnknownOperationException', `Operation ${operationName} is not supported by the simulator.`, context.requestId);
    const body = parseJsonObject(request.body);
    if (body === null) return errorReply('SerializationException', 'The request body is not a JSON object.', context.requestId);
    try {
      const result = await operation(body, context, verdict.value.region);
      return jsonReply(200, result, { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': context.requestId });
    } catch (error) {
      if (error instanceof AwsError) return errorReply(error.type, error.message, context.requestId);
      if (error instanceof SimRefusal) return errorReply(REFUSALS[error.reason], error.message, context.requestId);
      throw error;
    }
  },
  faultReply(kind, requestId) {
    if (kind === 'throttle') return errorReply('ThrottlingException', 'Rate exceeded', requestId);
    if (kind === '5xx') return errorReply('KMSInternalException', 'An internal error occurred. Try again.', requestId, 500);
    return { status: 200, headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId }, body: '{"KeyMetadata":{"KeyId":' };
  },
};
