// The names of the files in a vault folder, in one place.
import { join } from 'node:path';

export function vaultFiles(dir: string) {
  return {
    snapshot: join(dir, 'vault.db'),
    journal: join(dir, 'vault.journal'),
    lock: join(dir, 'vault.lock'),
    lockRecovery: join(dir, 'vault.lock.recovering'),
  };
}
