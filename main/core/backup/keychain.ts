// The OS keychain as the backup module sees it: a flat namespace of binary items under one service.
// Everything else in this folder talks to this interface, so tests can put the real Secret Service,
// an in-memory store or a fault-injecting wrapper behind it.
import { ByokError } from '../../../shared/errors.ts';

export interface Keychain {
  /** Creates or replaces the item `account`. */
  set(account: string, secret: Uint8Array): Promise<void>;
  /** The item's bytes (the caller owns and zeroes them), or null when there is no such item. */
  get(account: string): Promise<Uint8Array | null>;
  /** True when an item was deleted, false when there was none. */
  delete(account: string): Promise<boolean>;
  /** Account names of every item under this keychain's service. */
  list(): Promise<string[]>;
}

// Patterns of the binding's error texts (keyring-rs via @napi-rs/keyring). A locked store surfaces as
// "Couldn't access platform storage" (NoStorageAccess) with a dismissed unlock prompt on Linux, or
// "interaction is not allowed" on macOS; anything else that fails to reach the store is "unavailable".
const LOCKED_PATTERNS = [/unlock/i, /locked/i, /prompt/i, /dismiss/i, /interaction is not allowed/i, /couldn't access platform storage/i];

/** Turns an error thrown by the keychain binding into KEYCHAIN_LOCKED or KEYCHAIN_UNAVAILABLE. */
export function keychainError(error: unknown, operation: string): ByokError {
  if (error instanceof ByokError) return error;
  const reason = error instanceof Error ? error.message : 'unknown error';
  if (LOCKED_PATTERNS.some((pattern) => pattern.test(reason))) {
    return new ByokError(
      'KEYCHAIN_LOCKED',
      `The OS keychain is locked, so the backup could not be ${operation}. Unlock it (log in to the desktop session or unlock the "login" keyring) and try again.`,
      { operation, reason },
      { cause: error },
    );
  }
  return new ByokError(
    'KEYCHAIN_UNAVAILABLE',
    `The OS keychain could not be reached, so the backup could not be ${operation}. On Linux a Secret Service (gnome-keyring or KeePassXC) must be running in this session; on macOS and Windows the user's keychain must be available.`,
    { operation, reason },
    { cause: error },
  );
}
