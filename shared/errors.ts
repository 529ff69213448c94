// The product's one error type. `code` is stable (scripts and the UI branch on it); `message` says what
// happened and what to do; `details` never holds secrets (no material, no credentials, no tokens).
// Add a code in the section of its area; keep each code's meaning narrow.

export const ERROR_CODES = [
  // input and usage
  'INVALID_INPUT',
  'INVALID_ARGUMENT',
  'FILE_NOT_FOUND',
  'OUTPUT_EXISTS',
  'UNSUPPORTED',
  // entropy and keys
  'ENTROPY_HEALTH_FAILED',
  'ENTROPY_SOURCE_INVALID',
  'KEY_NOT_FOUND',
  'KEY_SPEC_INVALID',
  // wrapping and import parameters
  'PARAMS_MALFORMED',
  'PARAMS_EXPIRED',
  'PARAMS_PROVIDER_UNKNOWN',
  'WRAPPING_KEY_MISMATCH',
  'PARAMS_KEY_MISMATCH',
  'ALGORITHM_NOT_ACCEPTED',
  'SPEC_NOT_ACCEPTED',
  'MATERIAL_EXPIRY_INVALID',
  // bundles
  'BUNDLE_INVALID',
  'BUNDLE_SIGNATURE_INVALID',
  /** A valid signature by a ceremony key this vault does not trust. */
  'BUNDLE_SIGNER_UNTRUSTED',
  // vault and storage
  'VAULT_IN_USE',
  'VAULT_CORRUPT',
  'VAULT_TOO_NEW',
  'VAULT_NOT_FOUND',
  'STORAGE_FAILED',
  // keychain and backups
  'KEYCHAIN_UNAVAILABLE',
  'KEYCHAIN_LOCKED',
  'BACKUP_MISSING',
  'BACKUP_MISMATCH',
  'BACKUP_CORRUPT',
  'SHARES_INSUFFICIENT',
  'SHARE_INVALID',
  'ESCROW_PASSPHRASE_WRONG',
  // audit
  'AUDIT_CHAIN_BROKEN',
  // KMS and sync
  'PROVIDER_NOT_FOUND',
  'PROVIDER_AUTH_FAILED',
  'PROVIDER_NOT_CONNECTED',
  'KMS_TOKEN_EXPIRED',
  'KMS_TOKEN_KEY_MISMATCH',
  'KMS_MATERIAL_MISMATCH',
  'KMS_CIPHERTEXT_INVALID',
  'KMS_INVALID_STATE',
  'KMS_THROTTLED',
  'KMS_NOT_FOUND',
  'KMS_TRANSIENT',
  'KMS_PROTOCOL',
  // ceremonies and plans
  'PLAN_INVALID',
  'CEREMONY_NOT_OFFLINE',
  'CEREMONY_CONFIRMATION_FAILED',
  'CEREMONY_STATE_INVALID',
  // IPC
  'IPC_SENDER_REJECTED',
  'CANCELLED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorDetails = Record<string, string | number | boolean | null | undefined | string[]>;

export class ByokError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ByokError';
    this.code = code;
    this.details = details;
  }
}

export function isByokError(value: unknown): value is ByokError {
  return value instanceof ByokError;
}

/**
 * Turns anything thrown into the reply shape. Unknown errors become INTERNAL with a generic message:
 * their text may come from a library and could echo input, so it is not passed on.
 */
export function toErrorReply(error: unknown): { code: ErrorCode; message: string } {
  if (isByokError(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: 'An unexpected internal error occurred; nothing further was done. See the log for the stack trace.' };
}
