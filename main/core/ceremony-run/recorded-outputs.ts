// What a step cut off by a crash may already have finished. The core writes a step's files, then records
// them (bundle.written, shares.split, backup.written for escrow) in the audit log; the runner marks the
// step done in the state file only after that. A kill in between leaves recorded, possibly already
// handed-out files that the state does not know about. On resume they are adopted when the bytes on
// disk are the ones recorded — never deleted and written again. Files in the step's folder that no
// record mentions were never reported to anyone: they are moved aside (renamed
// `<name>.interrupted-<time>`), not deleted, and the step is redone.
//
// The record is read from the vault's audit log (audit.jsonl in the vault folder), up to its first
// break if the chain does not verify: what follows a break is not evidence.
import { lstat, readdir, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AUDIT_FILE_NAME, verifyChain, type AuditEvent } from '../audit/index.ts';
import { parseEventLine, splitLines } from '../audit/chain-verify.ts';
import { sha256Hex } from '../use-cases/hashing.ts';
import { isNewFileTemp, removeStaleTemps, syncFolder } from '../new-files.ts';

const INTERRUPTED_MARK = '.interrupted-';

/** The audit log's events that the chain vouches for (all of them when it verifies). */
export async function recordedEvents(vaultDir: string): Promise<AuditEvent[]> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(join(vaultDir, AUDIT_FILE_NAME)));
  } catch {
    return [];
  }
  const verification = verifyChain(bytes);
  const trustedUpTo = verification.problem ? verification.problem.seq : Number.POSITIVE_INFINITY;
  return splitLines(bytes)
    .lines.map(parseEventLine)
    .filter((event): event is AuditEvent => event !== null && event.seq < trustedUpTo);
}


/** A step folder's own entries: not our temporary files, not what an earlier resume moved aside. */
export async function stepFolderFiles(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  return names.filter((name) => !isNewFileTemp(name) && !name.includes(INTERRUPTED_MARK)).sort();
}

/** SHA-256 of a regular file, or null (absent, a folder, a link). */
export async function fileSha256(path: string): Promise<string | null> {
  const info = await lstat(path).catch(() => null);
  if (!info?.isFile()) return null;
  return sha256Hex(await readFile(path));
}

function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, ''); // 20261201T090000Z: valid on every filesystem
}

/**
 * Renames each path to `<path>.interrupted-<time>` (a free name: never over another file) and syncs the
 * folders. Returns the new paths.
 */
export async function moveAside(paths: readonly string[], at: Date): Promise<string[]> {
  // A killed write's temporary twins go first: a file moved aside must not share an inode with one, or
  // the next write into the folder would remove it as that write's unreported output.
  for (const folder of new Set(paths.map((path) => dirname(path)))) await removeStaleTemps(folder, { keepFinals: true });
  const moved: string[] = [];
  for (const path of paths) {
    const base = `${path}${INTERRUPTED_MARK}${stamp(at)}`;
    let target = base;
    for (let attempt = 2; await lstat(target).then(() => true, () => false); attempt++) target = `${base}-${attempt}`;
    await rename(path, target);
    moved.push(target);
  }
  for (const folder of new Set(moved.map((path) => dirname(path)))) await syncFolder(folder);
  return moved;
}

export interface RecordedFile {
  name: string;
  sha256: string;
}

function filesOf(event: AuditEvent): RecordedFile[] {
  const files = event.data.files;
  if (!Array.isArray(files)) return [];
  return files.filter((file): file is RecordedFile => typeof file?.name === 'string' && typeof file?.sha256 === 'string' && basename(file.name) === file.name);
}

/** The key's recorded bundles (bundle.written), newest first. */
export function recordedBundles(events: readonly AuditEvent[], keyId: string): Array<{ event: AuditEvent; files: RecordedFile[] }> {
  return events
    .filter((event) => event.type === 'bundle.written' && event.data.keyId === keyId)
    .map((event) => ({ event, files: filesOf(event) }))
    .filter((bundle) => bundle.files.length > 0)
    .reverse();
}

/** The key's recorded splits (shares.split), newest first. */
export function recordedSplits(events: readonly AuditEvent[], keyId: string): Array<{ event: AuditEvent; threshold: number; shares: number; subsetsVerified: number; shareChecks: string[] }> {
  return events
    .filter((event) => event.type === 'shares.split' && event.data.keyId === keyId && Array.isArray(event.data.shareChecks))
    .map((event) => ({
      event,
      threshold: Number(event.data.threshold),
      shares: Number(event.data.shares),
      subsetsVerified: Number(event.data.subsetsVerified),
      shareChecks: (event.data.shareChecks as unknown[]).map((check) => String(check).toUpperCase()),
    }))
    .reverse();
}

/** The recorded escrow files of that name (backup.written with `escrow`), newest first. */
export function recordedEscrows(events: readonly AuditEvent[], fileName: string): Array<{ event: AuditEvent; sha256: string; keyIds: string[] }> {
  return events
    .filter((event) => event.type === 'backup.written' && event.data.escrow === fileName && typeof event.data.sha256 === 'string' && Array.isArray(event.data.keyIds))
    .map((event) => ({ event, sha256: event.data.sha256 as string, keyIds: (event.data.keyIds as unknown[]).map(String) }))
    .reverse();
}
