// The names of the files in a vault folder, in one place.
import { join } from 'node:path';

export function vaultFiles(dir: string) {
  return {
    snapshot: join(dir, 'vault.db'),
    journal: join(dir, 'vault.journal'),
    lock: join(dir, 'vault.lock'),
    lockRecovery: join(dir, 'vault.lock.recovering'),
    /** The vault's id in plain text, outside the database: it names the keychain namespace of the
     * backups, so a lost or damaged database can be rebuilt from them. */
    identity: join(dir, 'vault.id'),
  };
}
