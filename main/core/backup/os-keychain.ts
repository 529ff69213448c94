// The real OS keychain through @napi-rs/keyring, pinned to the persistent store.
//
// On Linux the binding otherwise falls back silently to the kernel keyring, which is lost at reboot:
// a backup there is no backup. Pinning `secret-service` makes an absent Secret Service an error instead.
// The async API is used so that keychain round trips (tens of ms each on gnome-keyring) never block the
// event loop of Electron's main process.
import { AsyncEntry, findCredentialsAsync } from '@napi-rs/keyring';
import { keychainError, type Keychain } from './keychain.ts';

const PINNED = { linux: { store: 'secret-service' as const } };

export function osKeychain(service: string): Keychain {
  const entry = (account: string): AsyncEntry => new AsyncEntry(service, account, PINNED);
  return Object.freeze({
    async set(account: string, secret: Uint8Array): Promise<void> {
      try {
        await entry(account).setSecret(secret);
      } catch (error) {
        throw keychainError(error, 'written');
      }
    },
    async get(account: string): Promise<Uint8Array | null> {
      let secret: number[] | null;
      try {
        secret = await entry(account).getSecret();
      } catch (error) {
        throw keychainError(error, 'read');
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
        throw keychainError(error, 'deleted');
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
