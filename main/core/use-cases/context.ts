// What every use case works with: the open vault, its audit log, its keychain backups, the clock.
// Composed once per process in ../ceremony.ts.
import type { Clock } from '../clock.ts';
import type { Vault } from '../vault/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { BackupStore, Keychain } from '../backup/index.ts';

export interface CeremonySigner {
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export interface CoreContext {
  vault: Vault;
  audit: AuditLog;
  keychain: Keychain;
  backups: BackupStore;
  clock: Clock;
  /** The vault's Ed25519 ceremony key (kept in the keychain), loaded on first use. */
  signer(): Promise<CeremonySigner>;
}
