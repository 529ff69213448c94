// Provider errors onto the product's codes: one table per provider. The ByokError message keeps the
// provider's own code and says what to do; it never holds credentials, tokens or material. Where a
// provider documents no dedicated code (Tencent's token errors), the row matches on the message too,
// and the comment says so.
import { ByokError, type ErrorCode } from '../../../shared/errors.ts';
import type { ConnectedProvider } from './adapter.ts';

interface Row {
  code: ErrorCode;
  /** Worth retrying as is (after a backoff). */
  retryable: boolean;
  /** The row applies only when the provider's message contains this text (case-insensitive). */
  messageIncludes?: string;
}

const row = (code: ErrorCode, retryable = false, messageIncludes?: string): Row => ({ code, retryable, ...(messageIncludes ? { messageIncludes } : {}) });

export const AWS_ERRORS: Readonly<Record<string, Row[]>> = {
  ExpiredImportTokenException: [row('KMS_TOKEN_EXPIRED')],
  InvalidImportTokenException: [row('KMS_TOKEN_KEY_MISMATCH')],
  IncorrectKeyMaterialException: [row('KMS_MATERIAL_MISMATCH')],
  InvalidCiphertextException: [row('KMS_CIPHERTEXT_INVALID')],
  KMSInvalidStateException: [row('KMS_INVALID_STATE')],
  NotFoundException: [row('KMS_NOT_FOUND')],
  InvalidArnException: [row('KMS_NOT_FOUND')],
  UnsupportedOperationException: [row('KMS_INVALID_STATE')],
  ValidationException: [row('INVALID_INPUT')],
  ThrottlingException: [row('KMS_THROTTLED', true)],
  LimitExceededException: [row('KMS_THROTTLED', true)],
  KMSInternalException: [row('KMS_TRANSIENT', true)],
  DependencyTimeoutException: [row('KMS_TRANSIENT', true)],
  UnrecognizedClientException: [row('PROVIDER_AUTH_FAILED')],
  InvalidSignatureException: [row('PROVIDER_AUTH_FAILED')],
  IncompleteSignatureException: [row('PROVIDER_AUTH_FAILED')],
  AccessDeniedException: [row('PROVIDER_AUTH_FAILED')],
  ExpiredTokenException: [row('PROVIDER_AUTH_FAILED')],
};

export const TENCENT_ERRORS: Readonly<Record<string, Row[]>> = {
  'ResourceUnavailable.TokenExpired': [row('KMS_TOKEN_EXPIRED')],
  'InvalidParameterValue.MaterialNotMatch': [row('KMS_MATERIAL_MISMATCH')],
  'InvalidParameter.DecryptMaterialError': [row('KMS_CIPHERTEXT_INVALID')],
  'ResourceUnavailable.CmkNotFound': [row('KMS_NOT_FOUND')],
  'InvalidParameterValue.InvalidKeyId': [row('KMS_NOT_FOUND')],
  'ResourceUnavailable.CmkStateNotSupport': [row('KMS_INVALID_STATE')],
  'UnsupportedOperation.NotExternalCmk': [row('KMS_INVALID_STATE')],
  // Unconfirmed: Tencent documents no code for a token of another key; it answers InvalidParameter.
  InvalidParameter: [row('KMS_TOKEN_KEY_MISMATCH', false, 'importtoken'), row('INVALID_INPUT')],
  InvalidParameterValue: [row('INVALID_INPUT')],
  MissingParameter: [row('INVALID_INPUT')],
  RequestLimitExceeded: [row('KMS_THROTTLED', true)],
  'RequestLimitExceeded.UinLimitExceeded': [row('KMS_THROTTLED', true)],
  InternalError: [row('KMS_TRANSIENT', true)],
  'UnsupportedOperation.ServiceTemporaryUnavailable': [row('KMS_TRANSIENT', true)],
  'AuthFailure.SecretIdNotFound': [row('PROVIDER_AUTH_FAILED')],
  'AuthFailure.SignatureFailure': [row('PROVIDER_AUTH_FAILED')],
  'AuthFailure.SignatureExpire': [row('PROVIDER_AUTH_FAILED')],
  'AuthFailure.InvalidAuthorization': [row('PROVIDER_AUTH_FAILED')],
  'AuthFailure.TokenFailure': [row('PROVIDER_AUTH_FAILED')],
  'AuthFailure.UnauthorizedOperation': [row('PROVIDER_AUTH_FAILED')],
};

export const HUAWEI_ERRORS: Readonly<Record<string, Row[]>> = {
  'KMS.2601': [row('KMS_TOKEN_EXPIRED')],
  'KMS.2603': [row('KMS_TOKEN_KEY_MISMATCH')],
  'KMS.2605': [row('KMS_TOKEN_KEY_MISMATCH')],
  'KMS.2606': [row('KMS_MATERIAL_MISMATCH')],
  'KMS.2604': [row('KMS_CIPHERTEXT_INVALID')],
  'KMS.2608': [row('KMS_CIPHERTEXT_INVALID')],
  'KMS.2609': [row('KMS_CIPHERTEXT_INVALID')],
  'KMS.2602': [row('INVALID_INPUT')],
  'KMS.2701': [row('KMS_INVALID_STATE')],
  'KMS.2702': [row('KMS_INVALID_STATE')],
  'KMS.0310': [row('KMS_INVALID_STATE')],
  'KMS.0309': [row('KMS_INVALID_STATE')],
  'KMS.0209': [row('KMS_INVALID_STATE')],
  'KMS.0210': [row('KMS_INVALID_STATE')],
  'KMS.0205': [row('KMS_NOT_FOUND')],
  'KMS.0207': [row('KMS_NOT_FOUND')],
  'KMS.0204': [row('INVALID_INPUT')],
  'KMS.0308': [row('INVALID_INPUT')],
  'KMS.0101': [row('KMS_TRANSIENT', true)],
  'KMS.0102': [row('KMS_TRANSIENT', true)],
  'KMS.0306': [row('PROVIDER_AUTH_FAILED')],
  'KMS.0307': [row('PROVIDER_AUTH_FAILED')],
  'APIGW.0301': [row('PROVIDER_AUTH_FAILED')],
  'APIGW.0303': [row('PROVIDER_AUTH_FAILED')],
  'APIGW.0308': [row('KMS_THROTTLED', true)],
};

const TABLES: Record<ConnectedProvider, Readonly<Record<string, Row[]>>> = { aws: AWS_ERRORS, tencent: TENCENT_ERRORS, huawei: HUAWEI_ERRORS };

const PROVIDER_NAMES: Record<ConnectedProvider, string> = { aws: 'AWS KMS', tencent: 'Tencent Cloud KMS', huawei: 'Huawei Cloud KMS' };

const WHAT_TO_DO: Partial<Record<ErrorCode, string>> = {
  KMS_TOKEN_EXPIRED: 'The import parameters have expired or were replaced by newer ones: get new import parameters and wrap the material again.',
  KMS_TOKEN_KEY_MISMATCH: 'The import token is not valid for this key: use the parameters issued for this very key.',
  KMS_MATERIAL_MISMATCH: 'The KMS holds different material for this key, and only the identical material can be imported again: import this key\'s own backup.',
  KMS_CIPHERTEXT_INVALID: 'The KMS could not unwrap the material with its wrapping key: wrap again with these parameters\' public key and the algorithm they were issued for.',
  KMS_INVALID_STATE: 'The key\'s current state does not allow this operation: refresh its state and try what that state allows.',
  KMS_NOT_FOUND: 'The key does not exist in this account, region or project: check the provider settings and the key id.',
  KMS_THROTTLED: 'The KMS is limiting the request rate: retry after a pause.',
  KMS_TRANSIENT: 'The KMS or the network failed temporarily: retry.',
  KMS_PROTOCOL: 'The KMS reply could not be understood: retry; if it persists, the endpoint may not be a KMS.',
  PROVIDER_AUTH_FAILED: 'The KMS refused the credentials or the request signature: check the access key and secret stored for this provider, their permissions, and this machine\'s clock.',
  INVALID_INPUT: 'The KMS refused a parameter of the request: check the key spec, algorithm and expiry.',
};

export interface ProviderFailure {
  /** The provider's own error code, or an HTTP status when the reply had none. */
  providerCode: string;
  providerMessage?: string;
  httpStatus?: number;
}

/** The product error for a provider's error reply. `secrets` are scrubbed from the provider's message. */
export function mapProviderError(provider: ConnectedProvider, failure: ProviderFailure, operation: string, secrets: readonly string[] = []): ByokError {
  const rows = TABLES[provider][failure.providerCode] ?? [];
  const message = (failure.providerMessage ?? '').toLowerCase();
  const match = rows.find((candidate) => candidate.messageIncludes === undefined || message.includes(candidate.messageIncludes));
  const fallback: Row = failure.httpStatus !== undefined && (failure.httpStatus >= 500 || failure.httpStatus === 429)
    ? row(failure.httpStatus === 429 ? 'KMS_THROTTLED' : 'KMS_TRANSIENT', true)
    : row('KMS_PROTOCOL');
  const chosen = match ?? fallback;
  return new ByokError(
    chosen.code,
    `${PROVIDER_NAMES[provider]} refused ${operation} (${failure.providerCode}). ${WHAT_TO_DO[chosen.code] ?? ''}`.trim(),
    {
      provider,
      providerCode: failure.providerCode,
      providerMessage: scrub(failure.providerMessage, secrets),
      httpStatus: failure.httpStatus,
      retryable: chosen.retryable,
    },
  );
}

/** A request that got no usable reply: connection refused, reset or timed out, or a reply cut short. */
export function transportError(provider: ConnectedProvider, operation: string, kind: 'network' | 'timeout' | 'malformed'): ByokError {
  const code: ErrorCode = kind === 'malformed' ? 'KMS_PROTOCOL' : 'KMS_TRANSIENT';
  const what = kind === 'timeout' ? 'timed out' : kind === 'network' ? 'failed on the network' : 'got a reply that is not the provider\'s JSON';
  return new ByokError(code, `${PROVIDER_NAMES[provider]}: ${operation} ${what}. ${WHAT_TO_DO[code] ?? ''}`.trim(), {
    provider,
    providerCode: kind,
    retryable: true,
  });
}

function scrub(message: string | undefined, secrets: readonly string[]): string | undefined {
  if (message === undefined) return undefined;
  let out = message.slice(0, 300);
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}
