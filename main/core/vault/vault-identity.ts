// The vault id kept beside the database (file vault.id) and the move-aside of a damaged database.
// The id names the keychain namespace that holds the backups: losing it with the database would
// strand the backups, so it lives in its own small file, written once, durably.
import { access, readFile, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { ByokError } from '../../../shared/errors.ts';
import { replaceFileDurably, syncFolder } from './durable-file.ts';
import type { vaultFiles } from './vault-files.ts';

/** Vault ids are UUIDs; older or hand-made vaults may hold another simple token. */
const VAULT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function readVaultIdentity(path: string): Promise<string | null> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
  if (!VAULT_ID.test(text)) throw new ByokError('VAULT_CORRUPT', `${basename(path)} does not hold a vault id. Restore it from a backup of the folder, or pass --vault-id to \`byok vault rebuild\`.`);
  return text;
}

export async function writeVaultIdentity(path: string, id: string): Promise<void> {
  await replaceFileDurably(path, new TextEncoder().encode(`${id}\n`));
}

/** Renames the database files to `<name>.damaged-<time>`; returns the new paths. Nothing is deleted. */
export async function quarantineDatabase(files: ReturnType<typeof vaultFiles>, now: string): Promise<string[]> {
  const stamp = now.replace(/[:]/g, '');
  const moved: string[] = [];
  for (const path of [files.snapshot, files.journal]) {
    if (!(await exists(path))) continue;
    const target = `${path}.damaged-${stamp}`;
    await rename(path, target);
    moved.push(target);
  }
  await syncFolder(dirname(files.snapshot));
  return moved;
}
