// fsync of a folder makes a newly created file's name durable (POSIX); unsupported on Windows, ignored there.
import { open } from 'node:fs/promises';

export async function syncFolderQuietly(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open or fsync a folder; NTFS makes the new name durable itself.
  }
}
