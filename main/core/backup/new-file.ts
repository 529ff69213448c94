// Writing an output file that must never replace an existing one (share and escrow files): created
// with O_EXCL ('wx'), flushed to disk with fsync, and the folder synced so the new name survives a crash.
import { open } from 'node:fs/promises';
import { ByokError } from '../../../shared/errors.ts';

/** Creates `path` with `bytes`; records it in `created` as soon as it exists (for clean-up on failure). */
export async function writeNewFile(path: string, bytes: Uint8Array, created: string[]): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ByokError('OUTPUT_EXISTS', `${path} already exists; outputs are never overwritten. Choose another folder or move the old file away.`, { path });
    if (code === 'ENOENT') throw new ByokError('FILE_NOT_FOUND', `The folder for ${path} does not exist. Create it first.`, { path });
    throw new ByokError('STORAGE_FAILED', `${path} could not be created (${code ?? 'error'}). Check the folder's permissions and free space.`, { path });
  }
  created.push(path);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    throw new ByokError('STORAGE_FAILED', `${path} could not be written completely (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check free space and try again.`, { path });
  } finally {
    await handle.close();
  }
}

/** Makes new names in `dir` durable. Directories cannot be opened for syncing on Windows; skipped there. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
