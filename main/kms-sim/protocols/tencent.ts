// Tencent Cloud KMS (API 2019-01-18): POST /, X-TC-Action, TC3-HMAC-SHA256; every reply is HTTP 200
// with {"Response":{...,"RequestId"}} and errors in Response.Error.
import { SimRefusal, type RefusalReason } from '../sim-kms.ts';
import type { SimKey } from '../state-store.ts';
import { verifyTc3 } from '../verify/tc3.ts';
import { decodeBase64, jsonReply, parseJsonObject, str, type Protocol, type ProtocolContext, type WireReply, type WireRequest } from './protocol.ts';

const API_VERSION = '2019-01-18';
/** Tencent's documented ceiling for ValidTo (unix seconds). */
const MAX_VALID_TO_SECONDS = 2147443200;
/** FIPS regions: 256-bit symmetric material (SM-crypto regions, 128-bit, are not simulated). */
const MATERIAL_BYTES = 32;

// Tencent documents no dedicated code for an unknown token, a token of another key, or superseded
// parameters (unconfirmed): the simulator answers InvalidParameter with a message naming the
// ImportToken for the first two, and TokenExpired for superseded parameters (they are no longer valid).
const REFUSALS: Record<RefusalReason, string> = {
  NotFound: 'ResourceUnavailable.CmkNotFound',
  InvalidState: 'ResourceUnavailable.CmkStateNotSupport',
  NotPendingImport: 'ResourceUnavailable.CmkStateNotSupport',
  TokenUnknown: 'InvalidParameter',
  TokenExpired: 'ResourceUnavailable.TokenExpired',
  TokenKeyMismatch: 'InvalidParameter',
  TokenSuperseded: 'ResourceUnavailable.TokenExpired',
  MaterialMismatch: 'InvalidParameterValue.MaterialNotMatch',
  MaterialInvalid: 'InvalidParameter.DecryptMaterialError',
  CiphertextInvalid: 'InvalidParameter.DecryptMaterialError',
  PrivateKeyMissing: 'InvalidParameter.DecryptMaterialError',
  PrivateKeyInvalid: 'InvalidParameter.DecryptMaterialError',
  ValidToInvalid: 'InvalidParameterValue',
  AlgorithmUnsupported: 'InvalidParameterValue',
  SpecUnsupported: 'InvalidParameterValue',
  CannotDeleteAsymmetric: 'UnsupportedOperation',
  Validation: 'InvalidParameter',
};

const AUTH_FAILURES = {
  'unknown-key': 'AuthFailure.SecretIdNotFound',
  'bad-signature': 'AuthFailure.SignatureFailure',
  expired: 'AuthFailure.SignatureExpire',
  malformed: 'AuthFailure.InvalidAuthorization',
} as const;

const KEY_STATES: Record<SimKey['state'], string> = {
  PendingImport: 'PendingImport',
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDeletion: 'PendingDelete',
};

class TencentError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function reply(response: Record<string, unknown>, requestId: string): WireReply {
  return jsonReply(200, { Response: { ...response, RequestId: requestId } }, { 'x-tc-requestid': requestId });
}

function errorReply(code: string, message: string, requestId: string): WireReply {
  return reply({ Error: { Code: code, Message: message } }, requestId);
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function keyIdOf(value: unknown): string {
  const keyId = str(value);
  if (keyId === undefined || keyId.length === 0) throw new TencentError('MissingParameter', 'The request is missing a required parameter `KeyId`.');
  return keyId;
}

function keyMetadata(key: SimKey): Record<string, unknown> {
  return {
    KeyId: key.keyId,
    Alias: key.alias,
    CreateTime: seconds(key.createdAt),
    Description: key.description,
    KeyState: KEY_STATES[key.state],
    KeyUsage: key.keyUsage,
    // Type here is the key's crypto type (2 = FIPS), not CreateKey's Type.
    Type: 2,
    CreatorUin: 100000000001,
    KeyRotationEnabled: false,
    Owner: 'user',
    NextRotateTime: 0,
    DeletionDate: 0,
    Origin: 'EXTERNAL',
    ValidTo: key.validTo === null ? 0 : seconds(key.validTo),
    ResourceId: `creatorUin/100000000001/${key.keyId}`,
    HsmClusterId: '',
  };
}

type Operation = (body: Record<string, unknown>, context: ProtocolContext) => Promise<Record<string, unknown>>;

const OPERATIONS: Record<string, Operation> = {
  CreateKey: async (body, { kms }) => {
    const alias = str(body.Alias);
    if (alias === undefined || !/^[a-zA-Z0-9_-]{1,60}$/.test(alias)) throw new TencentError('InvalidParameterValue.InvalidAlias', 'Alias must be 1-60 letters, digits, _ or -.');
    if (body.Type !== 2) throw new TencentError('UnsupportedOperation', 'The simulator creates only external keys (Type=2).');
    const keyUsage = str(body.KeyUsage) ?? 'ENCRYPT_DECRYPT';
    if (keyUsage !== 'ENCRYPT_DECRYPT') throw new TencentError('InvalidParameterValue.InvalidKeyUsage', 'Imported keys are symmetric: KeyUsage must be ENCRYPT_DECRYPT.');
    const key = kms.createKey({ provider: 'tencent', alias, description: str(body.Description) ?? '', providerSpec: 'SYMMETRIC_256', kind: 'symmetric', size: MATERIAL_BYTES, keyUsage });
    return { KeyId: key.keyId, Alias: key.alias, CreateTime: seconds(key.createdAt), Description: key.description, KeyState: KEY_STATES[key.state], KeyUsage: key.keyUsage };
  },
  GetParametersForImport: async (body, { kms }) => {
    const keyId = keyIdOf(body.KeyId);
    const wrappingAlgorithm = str(body.WrappingAlgorithm);
    const wrappingKeySpec = str(body.WrappingKeySpec);
    if (wrappingAlgorithm === undefined || wrappingKeySpec === undefined) throw new TencentError('MissingParameter', 'WrappingAlgorithm and WrappingKeySpec are required.');
    const { parameters, importToken } = await kms.getParameters({ provider: 'tencent', keyId, wrappingAlgorithm, wrappingKeySpec });
    return { KeyId: keyId, ImportToken: importToken.toString('base64'), PublicKey: parameters.wrappingPublicKeySpki, ParametersValidTo: seconds(parameters.validTo) };
  },
  ImportKeyMaterial: async (body, { kms }) => {
    const keyId = keyIdOf(body.KeyId);
    const importToken = decodeBase64(body.ImportToken);
    const encryptedKeyMaterial = decodeBase64(body.EncryptedKeyMaterial);
    if (importToken === null) throw new TencentError('InvalidParameter', 'ImportToken is not valid base64.');
    if (encryptedKeyMaterial === null) throw new TencentError('InvalidParameter.DecryptMaterialError', 'EncryptedKeyMaterial is not valid base64.');
    const validToSeconds = body.ValidTo === undefined ? 0 : body.ValidTo;
    if (typeof validToSeconds !== 'number' || !Number.isInteger(validToSeconds) || validToSeconds < 0) {
      throw new TencentError('InvalidParameterValue', 'ValidTo must be a unix timestamp in seconds, or 0.');
    }
    kms.importMaterial({
      provider: 'tencent',
      keyId,
      importToken,
      wrapped: { encryptedKeyMaterial },
      validTo: validToSeconds === 0 ? null : validToSeconds * 1000,
      validToLimit: MAX_VALID_TO_SECONDS * 1000,
    });
    return {};
  },
  DeleteImportedKeyMaterial: async (body, { kms }) => {
    kms.deleteMaterial('tencent', keyIdOf(body.KeyId));
    return {};
  },
  DescribeKey: async (body, { kms }) => ({ KeyMetadata: keyMetadata(kms.key('tencent', keyIdOf(body.KeyId))) }),
  ListKeys: async (body, { kms }) => {
    const offset = typeof body.Offset === 'number' ? body.Offset : 0;
    const limit = typeof body.Limit === 'number' ? body.Limit : 10;
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 200) {
      throw new TencentError('InvalidParameterValue', 'Offset must be >= 0 and Limit between 1 and 200.');
    }
    const keys = kms.keys('tencent');
    return { Keys: keys.slice(offset, offset + limit).map((key) => ({ KeyId: key.keyId })), TotalCount: keys.length };
  },
};

export const tencentProtocol: Protocol = {
  name: 'tencent',
  matches: (request) => request.headers['x-tc-action'] !== undefined,
  async handle(request: WireRequest, context: ProtocolContext): Promise<WireReply> {
    const credentials = context.credentials.tencent;
    const verdict = verifyTc3(request, (id) => (credentials !== undefined && id === credentials.secretId ? credentials.secretKey : undefined), context.realNow);
    if (!verdict.ok) return errorReply(AUTH_FAILURES[verdict.reason], verdict.detail, context.requestId);
    // The signing scope names the service: a request signed for another product does not verify here.
    if (verdict.value.service !== 'kms') return errorReply('AuthFailure.SignatureFailure', `The credential scope names service "${verdict.value.service}", not kms.`, context.requestId);
    const version = request.headers['x-tc-version']?.toString();
    if (version !== API_VERSION) return errorReply('NoSuchVersion', `The API version ${version ?? '(none)'} does not exist for kms.`, context.requestId);
    const action = request.headers['x-tc-action']!.toString();
    const operation = OPERATIONS[action];
    if (operation === undefined) return errorReply('InvalidAction', `The action ${action} is not supported by the simulator.`, context.requestId);
    const body = parseJsonObject(request.body);
    if (body === null) return errorReply('InvalidParameter', 'The request body is not a JSON object.', context.requestId);
    try {
      return reply(await operation(body, context), context.requestId);
    } catch (error) {
      if (error instanceof TencentError) return errorReply(error.code, error.message, context.requestId);
      if (error instanceof SimRefusal) {
        // InvalidParameter is generic: name the parameter, as Tencent's messages do.
        const message = error.reason === 'TokenUnknown' || error.reason === 'TokenKeyMismatch' ? `ImportToken: ${error.message}` : error.message;
        return errorReply(REFUSALS[error.reason], message, context.requestId);
      }
      throw error;
    }
  },
  faultReply(kind, requestId) {
    if (kind === 'throttle') return errorReply('RequestLimitExceeded', '请求的次数超过了频率限制。', requestId);
    if (kind === '5xx') return { status: 503, headers: { 'content-type': 'text/html' }, body: '<html><body>503 Service Unavailable</body></html>' };
    return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"Response":{"KeyMetadata":' };
  },
};
