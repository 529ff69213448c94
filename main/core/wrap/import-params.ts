// Reads import parameters as users save them from each provider's console, CLI or API. Detection is a
// table of shapes: every shape that matches is a candidate; none or several is refused, never guessed.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import {
  GCP_IMPORT_METHODS,
  PROVIDERS,
  isWrappingAlgorithm,
  wrappingKeySpecForBits,
  type ProviderId,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from '../../../shared/providers.ts';
import { isoUtc } from '../clock.ts';
import { decodeBase64Strict, decodeBase64UrlStrict } from './base64.ts';
import { epochToDate, parseIsoInstant } from './timestamps.ts';

export interface ImportParameters {
  provider: ProviderId;
  remoteKeyId: string | null;
  wrappingPublicKeySpki: Uint8Array;
  wrappingKeySpec: WrappingKeySpec;
  wrappingKeyBits: number;
  /** Decoded token bytes (AWS ImportToken.bin takes raw bytes). */
  importToken: Uint8Array | null;
  /** The token exactly as the provider sent it (base64), for the JSON request files. */
  importTokenText: string | null;
  /** ISO-8601 UTC; null when the provider sets no deadline. */
  parametersValidTo: string | null;
  /** The algorithm the file names, else the one passed in options; null when neither says. */
  algorithm: WrappingAlgorithm | null;
  /** The wrapping key size the file declares (GCP import method, a saved WrappingKeySpec). */
  declaredWrappingKeySpec?: WrappingKeySpec;
  gcpImportMethod?: string;
  gcpImportJob?: string;
  azureKid?: string;
}

export interface ParseImportParametersOptions {
  algorithm?: WrappingAlgorithm;
  fileName?: string;
}

type JsonObject = Record<string, unknown>;

interface Shape {
  provider: ProviderId;
  /** What the shape looks like, for the "unknown shape" message. */
  describe: string;
  /** The object holding the parameters when the document has this shape, else null. */
  locate(document: JsonObject): JsonObject | null;
  read(parameters: JsonObject, context: ReadContext): ImportParameters;
}

interface ReadContext {
  source: string;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasStrings(object: JsonObject, ...names: string[]): boolean {
  return names.every((name) => typeof object[name] === 'string');
}

function malformed(context: ReadContext, field: string, problem: string): ByokError {
  return new ByokError('PARAMS_MALFORMED', `${context.source}: field ${field} ${problem}. Save the provider's response again without editing it.`, { field });
}

function requiredString(object: JsonObject, field: string, context: ReadContext): string {
  const value = object[field];
  if (typeof value !== 'string' || value.length === 0) throw malformed(context, field, 'is missing or not a string');
  return value;
}

function base64Field(object: JsonObject, field: string, context: ReadContext): Uint8Array {
  const text = requiredString(object, field, context);
  try {
    return decodeBase64Strict(text, field);
  } catch {
    throw malformed(context, field, 'is not valid base64');
  }
}

function timestampField(object: JsonObject, field: string, context: ReadContext): string | null {
  const value = object[field];
  if (value === undefined || value === null) return null;
  let date: Date | null = null;
  if (typeof value === 'number') date = epochToDate(value);
  else if (typeof value === 'string') date = /^\d+(\.\d+)?$/.test(value) ? epochToDate(Number(value)) : parseIsoInstant(value);
  if (date === null) throw malformed(context, field, 'is not a timestamp (epoch seconds, or ISO 8601 with a time zone)');
  return isoUtc(date);
}

/** The wrapping key: an RSA key of a size some provider uses, re-encoded exactly as given. */
function rsaWrappingKey(key: KeyObject, field: string, context: ReadContext): Pick<ImportParameters, 'wrappingPublicKeySpki' | 'wrappingKeySpec' | 'wrappingKeyBits'> {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ByokError('WRAPPING_KEY_MISMATCH', `${context.source}: the wrapping public key in ${field} is ${key.asymmetricKeyType ?? 'not an asymmetric key'}, not RSA. Get new import parameters with an RSA wrapping key.`, { field });
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const spec = wrappingKeySpecForBits(bits);
  if (spec === null) {
    throw new ByokError('WRAPPING_KEY_MISMATCH', `${context.source}: the wrapping public key in ${field} is RSA-${bits}; providers issue RSA 2048, 3072 or 4096. Get new import parameters.`, { field });
  }
  const spki = new Uint8Array(key.export({ format: 'der', type: 'spki' }));
  return { wrappingPublicKeySpki: spki, wrappingKeySpec: spec, wrappingKeyBits: bits };
}

function spkiField(der: Uint8Array, field: string, context: ReadContext): ReturnType<typeof rsaWrappingKey> {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch {
    throw malformed(context, field, 'is not a DER SubjectPublicKeyInfo');
  }
  const parsed = rsaWrappingKey(key, field, context);
  // Trailing or non-canonical bytes would mean the file was damaged: refuse rather than ignore them.
  if (Buffer.compare(Buffer.from(parsed.wrappingPublicKeySpki), Buffer.from(der)) !== 0) {
    throw malformed(context, field, 'has bytes beyond the DER SubjectPublicKeyInfo');
  }
  return parsed;
}

const PEM_PUBLIC_KEY = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END PUBLIC KEY-----\s*$/;

function pemField(pem: string, field: string, context: ReadContext): ReturnType<typeof rsaWrappingKey> {
  const match = PEM_PUBLIC_KEY.exec(pem.trim());
  if (match === null) throw malformed(context, field, 'is not a PEM public key (-----BEGIN PUBLIC KEY-----)');
  let der: Uint8Array;
  try {
    der = decodeBase64Strict(match[1]!.replace(/\r?\n/g, ''), field);
  } catch {
    throw malformed(context, field, 'has a PEM body that is not valid base64');
  }
  return spkiField(der, field, context);
}

function algorithmField(object: JsonObject, field: string, context: ReadContext): WrappingAlgorithm | null {
  const value = object[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw malformed(context, field, 'is not a string');
  if (!isWrappingAlgorithm(value)) {
    throw new ByokError('ALGORITHM_NOT_ACCEPTED', `${context.source}: wrapping algorithm ${value} is not supported here. Get parameters for one of the supported algorithms.`, { field });
  }
  return value;
}

function declaredSpecField(object: JsonObject, field: string, context: ReadContext): WrappingKeySpec | undefined {
  const value = object[field];
  if (value === undefined || value === null) return undefined;
  const spec = typeof value === 'string' ? wrappingKeySpecForBits(Number(value.replace(/^RSA_/, ''))) : null;
  if (spec === null || spec !== value) {
    throw new ByokError('WRAPPING_KEY_MISMATCH', `${context.source}: wrapping key spec ${String(value)} is not RSA_2048, RSA_3072 or RSA_4096.`, { field });
  }
  return spec;
}

function tokenField(object: JsonObject, field: string, context: ReadContext): Pick<ImportParameters, 'importToken' | 'importTokenText'> {
  return { importToken: base64Field(object, field, context), importTokenText: requiredString(object, field, context) };
}

/** AWS key ids in GetParametersForImport replies are always key ARNs; Tencent's are bare UUIDs. */
const isAwsArn = (value: unknown): boolean => typeof value === 'string' && /^arn:aws[a-z-]*:kms:/.test(value);

/** The PascalCase reply both AWS and Tencent use. */
function readPascalCase(provider: ProviderId, parameters: JsonObject, context: ReadContext): ImportParameters {
  const declaredWrappingKeySpec = declaredSpecField(parameters, 'WrappingKeySpec', context);
  return {
    provider,
    remoteKeyId: requiredString(parameters, 'KeyId', context),
    ...spkiField(base64Field(parameters, 'PublicKey', context), 'PublicKey', context),
    ...tokenField(parameters, 'ImportToken', context),
    parametersValidTo: timestampField(parameters, 'ParametersValidTo', context),
    algorithm: algorithmField(parameters, 'WrappingAlgorithm', context),
    ...(declaredWrappingKeySpec ? { declaredWrappingKeySpec } : {}),
  };
}

const PASCAL_FIELDS = ['KeyId', 'ImportToken', 'PublicKey'];

function jwkOf(document: JsonObject): JsonObject | null {
  const candidate = isObject(document.key) ? document.key : document;
  if (typeof candidate.kid !== 'string') return null;
  if (hasStrings(candidate, 'n', 'e') || typeof candidate.pem === 'string') return candidate;
  return null;
}

function azureExpiry(document: JsonObject, context: ReadContext): string | null {
  const attributes = document.attributes;
  if (!isObject(attributes)) return null;
  // REST replies carry `exp` (epoch seconds); `az keyvault key show` prints `expires` (ISO).
  return timestampField(attributes, 'exp', context) ?? timestampField(attributes, 'expires', context);
}

const SHAPES: readonly Shape[] = [
  {
    provider: 'aws',
    describe: 'AWS GetParametersForImport (KeyId as a key ARN, ImportToken, PublicKey, ParametersValidTo)',
    locate: (document) => (hasStrings(document, ...PASCAL_FIELDS) && isAwsArn(document.KeyId) && !('RequestId' in document) ? document : null),
    read: (parameters, context) => readPascalCase('aws', parameters, context),
  },
  {
    provider: 'tencent',
    describe: 'Tencent GetParametersForImport (KeyId, ImportToken, PublicKey, ParametersValidTo; bare or in {"Response": …})',
    locate: (document) => {
      const response = isObject(document.Response) ? document.Response : null;
      const parameters = response ?? document;
      if (!hasStrings(parameters, ...PASCAL_FIELDS) || isAwsArn(parameters.KeyId)) return null;
      // A bare reply is Tencent's when it carries Tencent's RequestId or unix-seconds deadline.
      const tencentMarks = response !== null || typeof parameters.RequestId === 'string' || typeof parameters.ParametersValidTo === 'number';
      return tencentMarks ? parameters : null;
    },
    read: (parameters, context) => readPascalCase('tencent', parameters, context),
  },
  {
    provider: 'huawei',
    describe: 'Huawei get-parameters-for-import (key_id, import_token, public_key, expiration_time)',
    locate: (document) => (hasStrings(document, 'key_id', 'import_token', 'public_key') ? document : null),
    read: (parameters, context) => ({
      provider: 'huawei',
      remoteKeyId: requiredString(parameters, 'key_id', context),
      ...spkiField(base64Field(parameters, 'public_key', context), 'public_key', context),
      ...tokenField(parameters, 'import_token', context),
      parametersValidTo: timestampField(parameters, 'expiration_time', context),
      algorithm: algorithmField(parameters, 'wrapping_algorithm', context),
    }),
  },
  {
    provider: 'gcp',
    describe: 'Google Cloud import job (name, importMethod, expireTime, publicKey.pem)',
    locate: (document) => (typeof document.importMethod === 'string' && isObject(document.publicKey) ? document : null),
    read: (parameters, context) => {
      const importMethod = requiredString(parameters, 'importMethod', context);
      const method = GCP_IMPORT_METHODS[importMethod];
      if (method === undefined) {
        throw new ByokError('ALGORITHM_NOT_ACCEPTED', `${context.source}: import method ${importMethod} is not supported; create an import job with one of ${Object.keys(GCP_IMPORT_METHODS).join(', ')}.`, { field: 'importMethod' });
      }
      if (parameters.state === 'EXPIRED') {
        throw new ByokError('PARAMS_EXPIRED', `${context.source}: the import job has expired (state EXPIRED). Create a new import job.`);
      }
      const publicKey = parameters.publicKey as JsonObject;
      const createTime = timestampField(parameters, 'createTime', context);
      const validityHours = PROVIDERS.gcp.parametersValidityHours ?? 0;
      const expireTime = timestampField(parameters, 'expireTime', context)
        ?? (createTime ? isoUtc(new Date(Date.parse(createTime) + validityHours * 3_600_000)) : null);
      return {
        provider: 'gcp',
        remoteKeyId: null,
        ...pemField(requiredString(publicKey, 'pem', context), 'publicKey.pem', context),
        importToken: null,
        importTokenText: null,
        parametersValidTo: expireTime,
        algorithm: method.algorithm,
        declaredWrappingKeySpec: method.wrappingKeySpec,
        gcpImportMethod: importMethod,
        ...(typeof parameters.name === 'string' ? { gcpImportJob: parameters.name } : {}),
      };
    },
  },
  {
    provider: 'azure',
    describe: 'Azure Key Vault key-exchange key (a JWK with kid, kty, n, e — bare or under "key" — or {"kid", "pem"})',
    locate: (document) => (jwkOf(document) !== null ? document : null),
    read: (document, context) => {
      const jwk = jwkOf(document)!;
      const kty = jwk.kty;
      if (kty !== undefined && kty !== 'RSA' && kty !== 'RSA-HSM') {
        throw new ByokError('WRAPPING_KEY_MISMATCH', `${context.source}: the key-exchange key is ${String(kty)}; Azure needs an RSA-HSM key with the import operation.`, { field: 'kty' });
      }
      const operations = jwk.key_ops ?? jwk.keyOps;
      if (Array.isArray(operations) && !operations.includes('import')) {
        throw new ByokError('WRAPPING_KEY_MISMATCH', `${context.source}: the key-exchange key does not allow the import operation; create it with --ops import.`, { field: 'key_ops' });
      }
      let wrappingKey: ReturnType<typeof rsaWrappingKey>;
      if (typeof jwk.pem === 'string') {
        wrappingKey = pemField(jwk.pem, 'pem', context);
      } else {
        const n = decodeBase64UrlStrict(requiredString(jwk, 'n', context), 'n');
        const e = decodeBase64UrlStrict(requiredString(jwk, 'e', context), 'e');
        let key: KeyObject;
        try {
          key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(n).toString('base64url'), e: Buffer.from(e).toString('base64url') }, format: 'jwk' });
        } catch {
          throw malformed(context, 'n', 'and e do not form an RSA public key');
        }
        wrappingKey = rsaWrappingKey(key, 'n', context);
      }
      return {
        provider: 'azure',
        remoteKeyId: null,
        ...wrappingKey,
        importToken: null,
        importTokenText: null,
        parametersValidTo: azureExpiry(document, context),
        algorithm: null,
        azureKid: requiredString(jwk, 'kid', context),
      };
    },
  },
];

function parseJson(text: string, context: ReadContext): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new ByokError('PARAMS_MALFORMED', `${context.source} is not valid JSON. Save the provider's response as JSON (a PEM key alone lacks the key id the import needs).`);
  }
}

/** Throws when the file's algorithm and the requested one are not the same wrapping. */
function checkAlgorithmsAgree(provider: ProviderId, fromFile: WrappingAlgorithm, requested: WrappingAlgorithm, context: ReadContext): void {
  if (fromFile === requested) return;
  const sameWrapping = Object.values(PROVIDERS[provider].specs).some((entry) => entry?.parametersAlgorithm === fromFile && entry.algorithms.includes(requested));
  if (!sameWrapping) {
    throw new ByokError('INVALID_ARGUMENT', `${context.source} was issued for ${fromFile}, but --algorithm asks for ${requested}. Drop --algorithm or get parameters for ${requested}.`);
  }
}

export function parseImportParameters(text: string, options: ParseImportParametersOptions = {}): ImportParameters {
  const context: ReadContext = { source: options.fileName ?? 'The import parameters' };
  const document = parseJson(text, context);
  if (!isObject(document)) {
    throw new ByokError('PARAMS_PROVIDER_UNKNOWN', `${context.source} is JSON but not an object; expected one of: ${SHAPES.map((shape) => shape.describe).join('; ')}.`);
  }
  if (isObject(document.Response) && isObject(document.Response.Error)) {
    const error = document.Response.Error;
    throw new ByokError('PARAMS_MALFORMED', `${context.source} holds a Tencent error reply (${String(error.Code)}), not import parameters. Call GetParametersForImport again.`);
  }
  const candidates = SHAPES.flatMap((shape) => {
    const located = shape.locate(document);
    return located === null ? [] : [{ shape, located }];
  });
  if (candidates.length !== 1) {
    const found = candidates.length === 0 ? 'matches no known provider' : `could be ${candidates.map((candidate) => PROVIDERS[candidate.shape.provider].displayName).join(' or ')}`;
    throw new ByokError('PARAMS_PROVIDER_UNKNOWN', `${context.source} ${found}. Expected exactly one of: ${SHAPES.map((shape) => shape.describe).join('; ')}.`);
  }
  const { shape, located } = candidates[0]!;
  const parameters = shape.read(located, context);
  if (parameters.algorithm !== null && options.algorithm !== undefined) {
    checkAlgorithmsAgree(parameters.provider, parameters.algorithm, options.algorithm, context);
    return parameters;
  }
  return { ...parameters, algorithm: parameters.algorithm ?? options.algorithm ?? null };
}
