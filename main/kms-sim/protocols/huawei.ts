// Huawei Cloud KMS (DEW): POST /v1.0/{project_id}/kms/<op>, snake_case JSON, APIG SDK-HMAC-SHA256.
// KMS errors: {"error":{"error_code":"KMS.xxxx","error_msg":...}}; gateway errors (authentication,
// throttling): {"error_code":"APIGW.xxxx","error_msg":...,"request_id":...}.
import { createPublicKey } from 'node:crypto';
import { SimRefusal, type RefusalReason } from '../sim-kms.ts';
import type { SimKey } from '../state-store.ts';
import { verifySdkHmac } from '../verify/sdk-hmac.ts';
import { decodeBase64, jsonReply, parseJsonObject, str, type Protocol, type ProtocolContext, type WireReply, type WireRequest } from './protocol.ts';

const PATH = /^\/v1\.0\/([^/]+)\/kms\/([a-z-]+)\/?$/;

// KMS.2604 (plaintext length) for undecryptable symmetric material and KMS.0308 for invalid fields are
// the closest documented codes (unconfirmed which the service uses).
const REFUSALS: Record<RefusalReason, { status: number; code: string }> = {
  NotFound: { status: 404, code: 'KMS.0207' },
  InvalidState: { status: 400, code: 'KMS.2701' },
  NotPendingImport: { status: 400, code: 'KMS.0310' },
  TokenUnknown: { status: 400, code: 'KMS.2605' },
  TokenExpired: { status: 400, code: 'KMS.2601' },
  TokenKeyMismatch: { status: 400, code: 'KMS.2603' },
  TokenSuperseded: { status: 400, code: 'KMS.2601' },
  MaterialMismatch: { status: 400, code: 'KMS.2606' },
  MaterialInvalid: { status: 400, code: 'KMS.2604' },
  CiphertextInvalid: { status: 400, code: 'KMS.2604' },
  PrivateKeyMissing: { status: 400, code: 'KMS.2608' },
  PrivateKeyInvalid: { status: 400, code: 'KMS.2609' },
  ValidToInvalid: { status: 400, code: 'KMS.2602' },
  AlgorithmUnsupported: { status: 400, code: 'KMS.0308' },
  SpecUnsupported: { status: 400, code: 'KMS.0308' },
  CannotDeleteAsymmetric: { status: 400, code: 'KMS.2702' },
  Validation: { status: 400, code: 'KMS.0308' },
};

const KEY_SPECS: Record<string, { kind: SimKey['kind']; size: number; usage: string }> = {
  AES_256: { kind: 'symmetric', size: 32, usage: 'ENCRYPT_DECRYPT' },
  SM4: { kind: 'symmetric', size: 16, usage: 'ENCRYPT_DECRYPT' },
  RSA_2048: { kind: 'rsa', size: 2048, usage: 'SIGN_VERIFY' },
  RSA_3072: { kind: 'rsa', size: 3072, usage: 'SIGN_VERIFY' },
  RSA_4096: { kind: 'rsa', size: 4096, usage: 'SIGN_VERIFY' },
  EC_P256: { kind: 'ec', size: 256, usage: 'SIGN_VERIFY' },
  EC_P384: { kind: 'ec', size: 384, usage: 'SIGN_VERIFY' },
};

const KEY_STATES: Record<SimKey['state'], string> = { Enabled: '2', Disabled: '3', PendingDeletion: '4', PendingImport: '5' };

const DOMAIN_ID = 'b168fe00ff56492495a7d22974df2d0b';

class HuaweiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

function kmsError(status: number, code: string, message: string, requestId: string): WireReply {
  return jsonReply(status, { error: { error_code: code, error_msg: message } }, { 'x-request-id': requestId });
}

function gatewayError(status: number, code: string, message: string, requestId: string): WireReply {
  return jsonReply(status, { error_msg: message, error_code: code, request_id: requestId }, { 'x-request-id': requestId });
}

function keyIdOf(value: unknown): string {
  const keyId = str(value);
  if (keyId === undefined || !/^[0-9a-z-]{36}$/.test(keyId)) throw new HuaweiError(400, 'KMS.0205', 'Invalid key_id.');
  return keyId;
}

function keyInfo(key: SimKey, projectId: string): Record<string, unknown> {
  return {
    key_id: key.keyId,
    domain_id: DOMAIN_ID,
    key_alias: key.alias,
    realm: 'sim-region-1',
    key_spec: key.providerSpec,
    key_usage: key.keyUsage,
    key_description: key.description,
    creation_date: String(key.createdAt),
    scheduled_deletion_date: '',
    key_state: KEY_STATES[key.state],
    default_key_flag: '0',
    key_type: '1',
    // The docs show milliseconds here (seconds on import); the simulator answers in milliseconds.
    expiration_time: key.validTo === null ? '' : String(key.validTo),
    origin: 'external',
    key_rotation_enabled: 'false',
    sys_project_id: projectId,
    keystore_id: '0',
  };
}

type Operation = (body: Record<string, unknown>, context: ProtocolContext, projectId: string) => Promise<Record<string, unknown>>;

const OPERATIONS: Record<string, Operation> = {
  'create-key': async (body, { kms }) => {
    const alias = str(body.key_alias);
    if (alias === undefined || !/^[a-zA-Z0-9:/_-]{1,255}$/.test(alias)) throw new HuaweiError(400, 'KMS.0308', 'Invalid key_alias.');
    if (body.origin !== 'external') throw new HuaweiError(400, 'KMS.0308', 'Invalid origin: the simulator creates only external keys.');
    const providerSpec = str(body.key_spec) ?? 'AES_256';
    const spec = KEY_SPECS[providerSpec];
    if (spec === undefined) throw new HuaweiError(400, 'KMS.0308', `Invalid key_spec ${providerSpec}.`);
    const key = kms.createKey({ provider: 'huawei', alias, description: str(body.key_description) ?? '', providerSpec, kind: spec.kind, size: spec.size, keyUsage: str(body.key_usage) ?? spec.usage });
    return { key_info: { key_id: key.keyId, domain_id: DOMAIN_ID } };
  },
  'get-parameters-for-import': async (body, { kms }) => {
    const keyId = keyIdOf(body.key_id);
    const wrappingAlgorithm = str(body.wrapping_algorithm);
    if (wrappingAlgorithm === undefined) throw new HuaweiError(400, 'KMS.0204', 'The request message lacks required parameters: wrapping_algorithm.');
    const { parameters, importToken } = await kms.getParameters({ provider: 'huawei', keyId, wrappingAlgorithm, wrappingKeySpec: str(body.wrapping_key_spec) ?? 'RSA_2048' });
    return { key_id: keyId, import_token: importToken.toString('base64'), expiration_time: Math.floor(parameters.validTo / 1000), public_key: parameters.wrappingPublicKeySpki };
  },
  'import-key-material': async (body, { kms }) => {
    const keyId = keyIdOf(body.key_id);
    const tokenText = str(body.import_token);
    const importToken = decodeBase64(tokenText);
    if (importToken === null || tokenText === undefined || tokenText.length < 200 || tokenText.length > 6144) throw new HuaweiError(400, 'KMS.0308', 'Invalid import_token.');
    // Documented as 344–360 base64 characters: one RSA-2048 ciphertext.
    const materialText = str(body.encrypted_key_material);
    const encryptedKeyMaterial = decodeBase64(materialText);
    if (encryptedKeyMaterial === null || materialText === undefined || materialText.length < 344 || materialText.length > 360) {
      throw new HuaweiError(400, 'KMS.0308', 'Invalid encrypted_key_material.');
    }
    let encryptedPrivateKey: Buffer | undefined;
    if (body.encrypted_privatekey !== undefined) {
      const decoded = decodeBase64(body.encrypted_privatekey);
      if (decoded === null) throw new HuaweiError(400, 'KMS.2609', 'Invalid encrypted_privatekey.');
      encryptedPrivateKey = decoded;
    }
    const expiration = body.expiration_time;
    let validTo: number | null = null;
    if (expiration !== undefined && expiration !== null && expiration !== '') {
      const secondsValue = typeof expiration === 'string' ? Number(expiration) : expiration;
      if (typeof secondsValue !== 'number' || !Number.isInteger(secondsValue)) throw new HuaweiError(400, 'KMS.0308', 'Invalid expiration_time.');
      validTo = secondsValue * 1000;
    }
    kms.importMaterial({ provider: 'huawei', keyId, importToken, wrapped: { encryptedKeyMaterial, ...(encryptedPrivateKey ? { encryptedPrivateKey } : {}) }, validTo, validToLimit: null });
    return {};
  },
  'delete-imported-key-material': async (body, { kms }) => {
    kms.deleteMaterial('huawei', keyIdOf(body.key_id));
    return {};
  },
  'describe-key': async (body, { kms }, projectId) => ({ key_info: keyInfo(kms.key('huawei', keyIdOf(body.key_id)), projectId) }),
  'list-keys': async (body, { kms }, projectId) => {
    const limit = body.limit === undefined ? 1000 : Number(body.limit);
    const start = body.marker === undefined || body.marker === '' ? 0 : Number(body.marker);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(start) || start < 0) throw new HuaweiError(400, 'KMS.0308', 'Invalid limit or marker.');
    const keys = kms.keys('huawei');
    const page = keys.slice(start, start + limit);
    const truncated = start + limit < keys.length;
    return {
      keys: page.map((key) => key.keyId),
      key_details: page.map((key) => keyInfo(key, projectId)),
      next_marker: truncated ? String(start + limit) : '',
      truncated: truncated ? 'true' : 'false',
      total: keys.length,
    };
  },
  'get-publickey': async (body, { kms }) => {
    const key = kms.key('huawei', keyIdOf(body.key_id));
    if (key.kind === 'symmetric') throw new HuaweiError(400, 'KMS.0308', 'Symmetric keys have no public key.');
    if (key.state !== 'Enabled' || key.publicKeySpki === null) throw new HuaweiError(400, 'KMS.0310', `Key ${key.keyId} has no imported material.`);
    const pem = createPublicKey({ key: Buffer.from(key.publicKeySpki, 'base64'), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
    return { key_id: key.keyId, public_key: pem };
  },
};

export const huaweiProtocol: Protocol = {
  name: 'huawei',
  matches: (request) => PATH.test(request.path),
  async handle(request: WireRequest, context: ProtocolContext): Promise<WireReply> {
    const credentials = context.credentials.huawei;
    const verdict = verifySdkHmac(request, (ak) => (credentials !== undefined && ak === credentials.ak ? credentials.sk : undefined), context.realNow);
    if (!verdict.ok) return gatewayError(401, 'APIGW.0301', verdict.detail, context.requestId);
    const [, projectId, operationName] = PATH.exec(request.path)!;
    if (credentials === undefined || projectId !== credentials.projectId) {
      return gatewayError(401, 'APIGW.0301', 'Incorrect IAM authentication information: the project in the URL does not belong to these credentials', context.requestId);
    }
    if (request.method !== 'POST') return kmsError(400, 'KMS.0201', 'Invalid request URL.', context.requestId);
    const operation = OPERATIONS[operationName!];
    if (operation === undefined) return kmsError(400, 'KMS.0201', 'Invalid request URL.', context.requestId);
    const body = parseJsonObject(request.body);
    if (body === null) return kmsError(400, 'KMS.0202', 'The JSON format of the request message is invalid.', context.requestId);
    try {
      return jsonReply(200, await operation(body, context, projectId!), { 'x-request-id': context.requestId });
    } catch (error) {
      if (error instanceof HuaweiError) return kmsError(error.status, error.code, error.message, context.requestId);
      if (error instanceof SimRefusal) {
        const refusal = REFUSALS[error.reason];
        return kmsError(refusal.status, refusal.code, error.message, context.requestId);
      }
      throw error;
    }
  },
  faultReply(kind, requestId) {
    if (kind === 'throttle') return gatewayError(429, 'APIGW.0308', 'The throttling threshold has been reached: policy user over ratelimit', requestId);
    if (kind === '5xx') return kmsError(500, 'KMS.0101', 'kms error.', requestId);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"key_info":{"key_id":' };
  },
};
