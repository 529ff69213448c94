// Where a vault lives by default: the OS's per-user application-data folder (the same place Electron's
// app.getPath('userData') points at), overridable with --vault or BYOK_VAULT.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_FOLDER_NAME = 'BYOK Ceremony';

export function defaultVaultDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.BYOK_VAULT) return env.BYOK_VAULT;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER_NAME, 'vault');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER_NAME, 'vault');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'byok-ceremony', 'vault');
}
