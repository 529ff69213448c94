// Writing an output file that must never replace an existing one (share and escrow files): written under
// a temporary name, fsynced, linked to its final name (refused with OUTPUT_EXISTS when the name exists)
// and the folder synced, by the shared helper in ../new-files.ts. Share files hold key shares: 0600.
import { syncFolder, writeNewFile as writeNewOutput } from '../new-files.ts';

/** Creates `path` with `bytes`; records it in `created` once it exists under its name (for clean-up on failure). */
export async function writeNewFile(path: string, bytes: Uint8Array, created: string[]): Promise<void> {
  created.push(await writeNewOutput(path, bytes, { mode: 0o600, existsHint: 'Choose another folder or move the old file away.' }));
}

/** Makes new names in `dir` durable. Directories cannot be opened for syncing on Windows; skipped there. */
export async function syncDirectory(dir: string): Promise<void> {
  await syncFolder(dir);
}
