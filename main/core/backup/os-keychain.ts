// The real OS keychain through @napi-rs/keyring, pinned to the persistent store.
//
// On Linux the binding otherwise falls back silently to the kernel keyring, which is lost at reboot:
// a backup there is no backup. Pinning `secret-service` makes an absent Secret Service an error instead.
// The async API is used so that keychain round trips (tens of ms each on gnome-keyring) never block the
// event loop of Electron's main process.
import { AsyncEntry, findCredentialsAsync } from '@napi-rs/keyring';
import { keychainError, type Keychain } from './keychain.ts';

const PINNED = { linux: { store: 'secret-service' as const } };

/**
 * Entries kept per keychain. Constructing one is blocking work in the binding (measured on gnome-keyring:
 * about 3 ms of CPU and 6 ms on the event loop, more than a small read), while an entry is only a handle:
 * every call asks the store again, nothing secret is kept in it. A batch write touches one account four
 * times (probe, write, read-back, and the wrap's read), so handles are reused; a handle whose call
 * failed is dropped, so the next call starts from a fresh one (e.g. after the store was restarted).
 */
const ENTRIES_KEPT = 32;

export function osKeychain(service: string): Keychain {
  const entries = new Map<string, AsyncEntry>();
  const entry = (account: string): AsyncEntry => {
    let found = entries.get(account);
    if (!found) {
      if (entries.size >= ENTRIES_KEPT) entries.delete(entries.keys().next().value!);
      found = new AsyncEntry(service, account, PINNED);
      entries.set(account, found);
    }
    return found;
  };
  const failed = (account: string, error: unknown, operation: string) => {
    entries.delete(account);
    return keychainError(error, operation);
  };
  return Object.freeze({
    async set(account: string, secret: Uint8Array): Promise<void> {
      try {
        await entry(account).setSecret(secret);
      } catch (error) {
        throw failed(account, error, 'written');
      }
    },
    async get(account: string): Promise<Uint8Array | null> {
      let secret: number[] | null;
      try {
        secret = await entry(account).getSecret();
      } catch (error) {
        throw failed(account, error, 'read');
      }
      if (secret === null) return null;
      const bytes = Uint8Array.from(secret);
      secret.fill(0); // the binding hands over a plain array; clear it too
      return bytes;
    },
    async delete(account: string): Promise<boolean> {
      try {
        return await entry(account).deleteCredential();
      } catch (error) {
        throw failed(account, error, 'deleted');
      }
    },
    async list(): Promise<string[]> {
      try {
        // The binding returns each item's secret decoded as text, which we neither need nor keep.
        const credentials = await findCredentialsAsync(service);
        return credentials.map((credential) => credential.account);
      } catch (error) {
        throw keychainError(error, 'listed');
      }
    },
  });
}
