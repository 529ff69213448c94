// Writes a ceremony's output files. An existing file is never overwritten: every target is checked
// before the first byte is written, and the set is written by writeNewFiles (../new-files.ts): each file
// under a temporary name, fsynced, then linked to its final name in order — the last file (bundle.json)
// is the set's commit marker — and the folder fsynced, so a reported bundle survives a crash and a
// killed write leaves nothing under a final name that blocks the retry.
import { createHash } from 'node:crypto';
import { lstat, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ByokError } from '../../../shared/errors.ts';
import { removeStaleTemps, syncFolder, writeNewFiles } from '../new-files.ts';

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

export async function writeOutputs(outDir: string, files: readonly OutputFile[]): Promise<WrittenFile[]> {
  const folder = resolve(outDir);
  // A write killed earlier may have left temporary files and unreported finals: never a reason to refuse.
  await removeStaleTemps(folder).catch(() => undefined);
  const planned = await planOutputs(outDir, files.map((file) => file.name));
  if (!(await stat(folder).then((info) => info.isDirectory(), () => true))) {
    throw new ByokError('OUTPUT_EXISTS', `${folder} is a file, not a folder; outputs are never written over it. Choose another output folder.`);
  }
  let created: string | undefined;
  try {
    created = await mkdir(folder, { recursive: true });
    // Folders made here are entries of their parents: sync those too, or a power cut could take a
    // reported output folder away.
    if (created !== undefined) for (const parent of parentsUpTo(folder, resolve(created))) await syncFolder(parent);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ByokError('STORAGE_FAILED', `The output folder ${folder} could not be created (${code ?? 'unknown error'}); nothing was written. Check the path and its permissions.`, undefined, { cause: error });
  }
  await writeNewFiles(folder, files, { existsHint: 'Choose an empty folder with --out.' });
  return files.map((file, index) => ({ name: file.name, path: planned[index]!.path, sha256: createHash('sha256').update(file.bytes).digest('hex') }));
}
