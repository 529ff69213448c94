// Writes a ceremony's output files. An existing file is never overwritten: every target is checked
// before the first byte is written, each file is created exclusively ('wx'), and each file and then the
// folder are fsynced so a finished ceremony survives a crash.
import { createHash } from 'node:crypto';
import { lstat, mkdir, open, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ByokError } from '../../../shared/errors.ts';

export interface OutputFile {
  name: string;
  bytes: Uint8Array;
}

export interface WrittenFile {
  name: string;
  path: string;
  sha256: string;
}

export interface PlannedFile {
  name: string;
  path: string;
}

/** lstat, not access: a dangling symlink is an existing target too ('wx' would refuse it). */
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Checks names and targets; throws OUTPUT_EXISTS naming every target that already exists. */
export async function planOutputs(outDir: string, names: readonly string[]): Promise<PlannedFile[]> {
  const folder = resolve(outDir);
  for (const name of names) {
    if (name.length === 0 || basename(name) !== name || name === '.' || name === '..') {
      throw new ByokError('INVALID_ARGUMENT', `Output file name "${name}" must be a plain file name without folders.`);
    }
  }
  if (new Set(names).size !== names.length) throw new ByokError('INVALID_ARGUMENT', 'Two output files have the same name.');
  const planned = names.map((name) => ({ name, path: join(folder, name) }));
  const taken: string[] = [];
  for (const file of planned) if (await exists(file.path)) taken.push(file.name);
  if (taken.length > 0) {
    throw new ByokError('OUTPUT_EXISTS', `${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''} in ${folder}; nothing was written. Choose an empty folder with --out.`, { existing: taken });
  }
  return planned;
}

/** The parent of each folder from `first` (the first one created) down to `folder`. */
function parentsUpTo(folder: string, first: string): string[] {
  const parents: string[] = [];
  for (let current = folder; ; current = dirname(current)) {
    parents.push(dirname(current));
    if (current === first || dirname(current) === current) return parents;
  }
}

async function fsyncFolder(folder: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS metadata is journaled there.
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeOutputs(outDir: string, files: readonly OutputFile[]): Promise<WrittenFile[]> {
  const planned = await planOutputs(outDir, files.map((file) => file.name));
  const folder = resolve(outDir);
  if (!(await stat(folder).then((info) => info.isDirectory(), () => true))) {
    throw new ByokError('OUTPUT_EXISTS', `${folder} is a file, not a folder; outputs are never written over it. Choose another output folder.`);
  }
  const written: WrittenFile[] = [];
  try {
    const created = await mkdir(folder, { recursive: true });
    for (const [index, file] of files.entries()) {
      const target = planned[index]!;
      const handle = await open(target.path, 'wx');
      written.push({ name: file.name, path: target.path, sha256: createHash('sha256').update(file.bytes).digest('hex') });
      try {
        await handle.writeFile(file.bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await fsyncFolder(folder);
    // Folders made here are entries of their parents: sync those too, or a power cut could take a
    // reported output folder away.
    if (created !== undefined) for (const parent of parentsUpTo(folder, resolve(created))) await fsyncFolder(parent);
  } catch (error) {
    // A partial set of outputs is not a bundle: remove only the files this call created.
    await Promise.all(written.map((file) => rm(file.path, { force: true })));
    if (error instanceof ByokError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ByokError('OUTPUT_EXISTS', `An output file appeared in ${folder} while writing; nothing was kept. Choose an empty folder.`);
    throw new ByokError('STORAGE_FAILED', `Writing the outputs to ${folder} failed (${code ?? 'unknown error'}); nothing was kept.`, undefined, { cause: error });
  }
  return written;
}
