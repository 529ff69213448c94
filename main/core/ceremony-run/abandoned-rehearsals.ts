// A rehearsal's throwaway workspace (a temporary folder) and keychain namespace are deleted when it ends.
// A rehearsal killed half-way cannot do that, so each workspace carries a marker naming its namespace
// and process, and every new rehearsal first clears what rehearsals whose process is gone left behind.
// Only rehearsal namespaces are ever touched (their name comes from the marker and must look like one).
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { osKeychain, type Keychain } from '../backup/index.ts';
import { processExists } from '../processes.ts';

export const REHEARSAL_WORKSPACE_PREFIX = 'byok-rehearsal-';
const MARKER = 'rehearsal.json';
const NAMESPACE = /^byok-rehearsal-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Marker {
  keychainService: string;
  pid: number;
  startedAt: string;
}

/** Written into the workspace before the rehearsal touches the keychain. */
export async function markRehearsal(workspace: string, marker: Marker): Promise<void> {
  await writeFile(join(workspace, MARKER), JSON.stringify(marker), { flag: 'wx' });
}

export interface SweepOptions {
  /** The folder holding rehearsal workspaces (the OS temporary folder). */
  root: string;
  isRunning?: (pid: number) => boolean;
  keychainFor?: (service: string) => Keychain;
}

/** Clears the workspaces and keychain namespaces of rehearsals whose process is gone; returns how many. */
export async function sweepAbandonedRehearsals(options: SweepOptions): Promise<number> {
  const isRunning = options.isRunning ?? processExists;
  let cleared = 0;
  let names: string[];
  try {
    names = await readdir(options.root);
  } catch {
    return 0;
  }
  for (const name of names.filter((entry) => entry.startsWith(REHEARSAL_WORKSPACE_PREFIX))) {
    const workspace = join(options.root, name);
    const marker = await readMarker(workspace);
    // No marker: not ours, or killed before it touched the keychain; a running rehearsal is left alone.
    if (!marker || isRunning(marker.pid)) continue;
    await deleteKeychainNamespace(marker.keychainService, options.keychainFor);
    await rm(workspace, { recursive: true, force: true });
    cleared++;
  }
  return cleared;
}

/** Deletes every item of a rehearsal namespace; an unreachable keychain is left for a later sweep. */
export async function deleteKeychainNamespace(service: string, keychainFor: (service: string) => Keychain = osKeychain): Promise<boolean> {
  if (!NAMESPACE.test(service)) return false;
  const keychain = keychainFor(service);
  try {
    for (const account of await keychain.list()) await keychain.delete(account);
    return true;
  } catch {
    return false;
  }
}

async function readMarker(workspace: string): Promise<Marker | null> {
  try {
    const value = JSON.parse(await readFile(join(workspace, MARKER), 'utf8')) as Partial<Marker>;
    if (typeof value.keychainService !== 'string' || !NAMESPACE.test(value.keychainService) || !Number.isInteger(value.pid)) return null;
    return { keychainService: value.keychainService, pid: value.pid!, startedAt: String(value.startedAt ?? '') };
  } catch {
    return null;
  }
}
