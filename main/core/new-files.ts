// Creating output files that never replace an existing file and that survive a crash the moment they
// are reported. Every output (bundle files, share and escrow files, request files, transcripts) is
// written this way:
//
//   1. every file of the set is written under a temporary name in its own folder (O_EXCL, fsync);
//   2. each is link()ed to its final name, in order, so the set's last file (bundle.json) is its commit
//      marker. link() fails when the name exists: nothing is ever overwritten (OUTPUT_EXISTS);
//   3. the folder is fsynced, the temporary names are removed, and the folder is fsynced again, so a
//      reported set never has a temporary twin left.
//
// A kill before step 3 finishes leaves temporary files named `.byok-new-<pid>-<run>-<random>.tmp`. They
// never collide with a later write (random names), and the next write into that folder removes them once
// their process is gone, together with any final name still sharing an inode with one of them: such a
// final was linked by a write that never returned, so it was never reported (a reported write has
// removed its temporary names durably before it returns).
//
// Filesystems without hard links (FAT and exFAT USB sticks) refuse link(); there each final file is
// created directly with O_EXCL instead: still never overwritten, but a kill can leave a partial set there.
import { randomBytes } from 'node:crypto';
import { link, lstat, open, readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ByokError } from '../../shared/errors.ts';
import { syncFolder } from './vault/durable-file.ts';

export const NEW_FILE_TEMP_PREFIX = '.byok-new-';
const TEMP_SUFFIX = '.tmp';
/** Tells this process's temporary files from those of an earlier process that had the same pid. */
const RUN_TOKEN = randomBytes(4).toString('hex');
const TEMP_PATTERN = /^\.byok-new-(\d+)-([0-9a-f]{8})-[0-9a-f]+\.tmp$/;
/** link() errors that mean "this filesystem has no hard links", not "this name is taken". */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

export interface NewFile {
  /** A plain file name inside the folder. */
  name: string;
  bytes: Uint8Array;
}

export interface NewFileOptions {
  /** Permission bits of the new files (before the umask). Default 0o666. */
  mode?: number;
  /** Appended to the OUTPUT_EXISTS message: what the user should do instead. */
  existsHint?: string;
}

/** True for the temporary name of a file being (or left half-) written by writeNewFiles. */
export function isNewFileTemp(name: string): boolean {
  return name.startsWith(NEW_FILE_TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path); // lstat: a dangling symlink is a taken name too
    return true;
  } catch {
    return false;
  }
}

/** Makes new, linked and removed names in a folder durable: the project's one folder fsync. */
export { syncFolder };

function existsError(folder: string, names: readonly string[], hint: string | undefined): ByokError {
  const list = names.join(', ');
  return new ByokError(
    'OUTPUT_EXISTS',
    `${list} already exist${names.length === 1 ? 's' : ''} in ${folder}; outputs are never overwritten and nothing was written. ${hint ?? 'Choose another folder or file name.'}`,
    { existing: [...names] },
  );
}

function storageError(folder: string, error: unknown): ByokError {
  const code = (error as NodeJS.ErrnoException).code;
  // The folder was there when the write began (checked first), so even ENOENT here is a failed write, not a wrong path.
  if (code === 'ENOENT') return new ByokError('STORAGE_FAILED', `Writing to ${folder} failed: the folder vanished or does not take new files (ENOENT); nothing was kept. Check the folder.`, { folder }, { cause: error });
  return new ByokError('STORAGE_FAILED', `Writing to ${folder} failed (${code ?? 'unknown error'}); nothing was kept. Check the folder's permissions and free space.`, { folder }, { cause: error });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Removes the temporary files an earlier, killed write left in `folder`, and the final names still
 * sharing an inode with them (linked by that write, never reported). Temporary files of a live process
 * are left alone. Returns the names removed.
 */
export async function removeStaleTemps(folder: string, options: { keepFinals?: boolean } = {}): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const stale = names.filter((name) => {
    const match = TEMP_PATTERN.exec(name);
    if (!match) return false;
    const pid = Number(match[1]);
    if (pid === process.pid) return match[2] !== RUN_TOKEN;
    return !isAlive(pid);
  });
  if (stale.length === 0) return [];
  const staleInodes = new Set<string>();
  for (const name of stale) {
    const info = await lstat(join(folder, name)).catch(() => null);
    if (info && info.nlink > 1) staleInodes.add(`${info.dev}:${info.ino}`);
  }
  const removed: string[] = [];
  // keepFinals: only the temporary names go (a ceremony resume moves unrecorded finals aside instead).
  if (staleInodes.size > 0 && !options.keepFinals) {
    for (const name of names) {
      if (isNewFileTemp(name)) continue;
      const info = await lstat(join(folder, name)).catch(() => null);
      if (info?.isFile() && staleInodes.has(`${info.dev}:${info.ino}`)) {
        await unlink(join(folder, name));
        removed.push(name);
      }
    }
  }
  for (const name of stale) {
    await unlink(join(folder, name)).catch(() => undefined);
    removed.push(name);
  }
  await syncFolder(folder);
  return removed;
}

async function writeTemp(folder: string, bytes: Uint8Array, mode: number): Promise<string> {
  const path = join(folder, `${NEW_FILE_TEMP_PREFIX}${process.pid}-${RUN_TOKEN}-${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
  return path;
}

/** The fallback where link() is not supported: O_EXCL create of the final name itself. */
async function writeDirectly(path: string, bytes: Uint8Array, mode: number, created: string[]): Promise<void> {
  const handle = await open(path, 'wx', mode);
  created.push(path);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a set of new files into `folder` (which must exist), in order, the last one being the set's
 * commit marker. Refuses with OUTPUT_EXISTS, before writing anything, when any name is taken. On any
 * failure every file this call created is removed again. Returns the final paths.
 */
export async function writeNewFiles(folder: string, files: readonly NewFile[], options: NewFileOptions = {}): Promise<string[]> {
  const dir = resolve(folder);
  const mode = options.mode ?? 0o666;
  for (const file of files) {
    if (file.name.length === 0 || basename(file.name) !== file.name || file.name === '.' || file.name === '..' || isNewFileTemp(file.name)) {
      throw new ByokError('INVALID_ARGUMENT', `Output file name "${file.name}" must be a plain file name without folders.`);
    }
  }
  if (new Set(files.map((file) => file.name)).size !== files.length) throw new ByokError('INVALID_ARGUMENT', 'Two output files have the same name.');
  // A killed earlier write's debris first: its unreported finals must not block this one.
  await removeStaleTemps(dir).catch(() => undefined); // best effort
  const finals = files.map((file) => join(dir, file.name));
  const taken: string[] = [];
  for (const [index, path] of finals.entries()) if (await exists(path)) taken.push(files[index]!.name);
  if (taken.length > 0) throw existsError(dir, taken, options.existsHint);
  if (!(await stat(dir).then((info) => info.isDirectory(), () => false))) {
    throw new ByokError('FILE_NOT_FOUND', `The folder ${dir} does not exist; nothing was written. Create it first.`, { folder: dir });
  }

  const temps: string[] = [];
  const created: string[] = [];
  try {
    for (const file of files) temps.push(await writeTemp(dir, file.bytes, mode));
    for (const [index, path] of finals.entries()) {
      try {
        await link(temps[index]!, path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw existsError(dir, [files[index]!.name], options.existsHint);
        if (!code || !NO_HARD_LINKS.has(code)) throw error;
        try {
          await writeDirectly(path, files[index]!.bytes, mode, created);
        } catch (direct) {
          if ((direct as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(dir, [files[index]!.name], options.existsHint);
          throw direct;
        }
        continue;
      }
      created.push(path);
    }
    await syncFolder(dir);
    while (temps.length > 0) {
      await unlink(temps[0]!);
      temps.shift();
    }
    await syncFolder(dir);
  } catch (error) {
    // A partial set is not an output: remove what this call created (its own names only).
    for (const path of [...temps, ...created]) await unlink(path).catch(() => undefined);
    await syncFolder(dir).catch(() => undefined);
    if (error instanceof ByokError) throw error;
    throw storageError(dir, error);
  }
  return finals;
}

/** One new file at `path`; see writeNewFiles. */
export async function writeNewFile(path: string, bytes: Uint8Array, options: NewFileOptions = {}): Promise<string> {
  const [written] = await writeNewFiles(dirname(resolve(path)), [{ name: basename(path), bytes }], options);
  return written!;
}
