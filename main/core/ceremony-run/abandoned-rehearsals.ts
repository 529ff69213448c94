// A rehearsal's throwaway workspace (a temporary folder) and keychain namespace are deleted when it ends.
// A rehearsal killed half-way cannot do that, so every new rehearsal first clears what rehearsals whose
// process is gone left behind.
//
// The workspace and the namespace share one name, `byok-rehearsal-<uuid>`, so a workspace can only ever
// lead to its own namespace; the workspace holds a marker with its process id. A workspace is cleared
// only when it is a real folder (not a link) owned by this user, its marker names a process that no
// longer runs, and every item of its namespace was deleted: a keychain that cannot be emptied now (say,
// locked) keeps the workspace, so a later rehearsal tries again instead of losing track of the items.
import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { osKeychain, type Keychain } from '../backup/index.ts';
import { processExists } from '../processes.ts';

const MARKER = 'rehearsal.json';
const REHEARSAL_NAME = /^byok-rehearsal-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Creates the workspace `root/<name>` (private, never an existing one) and its marker, before any keychain use. */
export async function createRehearsalWorkspace(root: string, name: string, marker: { pid: number; startedAt: string }): Promise<string> {
  if (!REHEARSAL_NAME.test(name)) throw new Error(`not a rehearsal name: ${name}`);
  const workspace = join(root, name);
  await mkdir(workspace, { mode: 0o700 });
  await writeFile(join(workspace, MARKER), JSON.stringify(marker), { flag: 'wx' });
  return workspace;
}

export interface SweepOptions {
  /** The folder holding rehearsal workspaces (the OS temporary folder). */
  root: string;
  isRunning?: (pid: number) => boolean;
  keychainFor?: (service: string) => Keychain;
}

/** Clears the workspaces and keychain namespaces of rehearsals whose process is gone; returns how many. Never throws. */
export async function sweepAbandonedRehearsals(options: SweepOptions): Promise<number> {
  const isRunning = options.isRunning ?? processExists;
  let names: string[];
  try {
    names = await readdir(options.root);
  } catch {
    return 0;
  }
  let cleared = 0;
  for (const name of names.filter((entry) => REHEARSAL_NAME.test(entry))) {
    try {
      const workspace = join(options.root, name);
      const info = await lstat(workspace);
      if (!info.isDirectory() || (process.getuid && info.uid !== process.getuid())) continue;
      const pid = await markerPid(workspace);
      // No marker: killed before it touched the keychain, or not ours; a running rehearsal is left alone.
      if (pid === null || isRunning(pid)) continue;
      if (!(await deleteKeychainNamespace(name, options.keychainFor))) continue;
      await rm(workspace, { recursive: true, force: true });
      cleared++;
    } catch {
      // One entry that cannot be read or removed must not stop the others, nor the rehearsal.
    }
  }
  return cleared;
}

/** Removes everything in a workspace but its marker (kept while its keychain namespace still needs emptying). */
export async function emptyWorkspaceKeepingMarker(workspace: string): Promise<void> {
  for (const entry of await readdir(workspace)) if (entry !== MARKER) await rm(join(workspace, entry), { recursive: true, force: true });
}

/** Deletes every item of a rehearsal namespace; false when the keychain could not be emptied. */
export async function deleteKeychainNamespace(service: string, keychainFor: (service: string) => Keychain = osKeychain): Promise<boolean> {
  if (!REHEARSAL_NAME.test(service)) return false;
  const keychain = keychainFor(service);
  try {
    for (const account of await keychain.list()) await keychain.delete(account);
    return (await keychain.list()).length === 0;
  } catch {
    return false;
  }
}

async function markerPid(workspace: string): Promise<number | null> {
  try {
    const value = JSON.parse(await readFile(join(workspace, MARKER), 'utf8')) as { pid?: unknown };
    return Number.isInteger(value.pid) && (value.pid as number) > 0 ? (value.pid as number) : null;
  } catch {
    return null;
  }
}
