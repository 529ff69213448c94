// One writer per vault folder. The lock is a file created atomically (written beside, then hard-linked
// into place, so it never exists half-written) naming its holder: pid, host and, on Linux, the process
// start time (so a recycled pid is not mistaken for the holder).
//
// A lock left by a killed process on this host is stale and is recovered; recovery itself is guarded by a
// second lock so two processes recovering at once cannot both win: the guard holder re-reads the lock,
// removes it only if it is still the same stale lock, then acquires normally (which one process wins).
// A lock held from another host is never broken automatically: we cannot see that host's processes.
import { hostname } from 'node:os';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import { processExists } from '../processes.ts';

export interface LockHolder {
  pid: number;
  host: string;
  /** Linux process start time (clock ticks since boot), to tell a recycled pid apart. */
  processStart: string | null;
  acquiredAt: string;
  token: string;
}

export interface StaleLockRecovery {
  pid: number;
  host: string;
  acquiredAt: string;
}

export class VaultLock {
  readonly path: string;
  readonly holder: LockHolder;
  private released = false;

  private constructor(path: string, holder: LockHolder) {
    this.path = path;
    this.holder = holder;
  }

  /** Acquires the lock or throws VAULT_IN_USE naming the holder. */
  static async acquire(path: string, recoveryPath: string, acquiredAt: string): Promise<{ lock: VaultLock; recovered: StaleLockRecovery | null }> {
    const holder: LockHolder = { pid: process.pid, host: hostname(), processStart: processStartTime(process.pid), acquiredAt, token: randomUUID() };
    let recovered: StaleLockRecovery | null = null;
    for (let attempt = 0; attempt < 4; attempt++) {
      if (await createExclusively(path, holder)) return { lock: new VaultLock(path, holder), recovered };
      const current = await readHolder(path);
      if (current === 'missing') continue; // released between our attempt and our read
      if (current !== 'unreadable' && !isStale(current)) throw inUse(current);
      if (await removeStaleLock(path, recoveryPath, current, acquiredAt)) {
        if (current !== 'unreadable') recovered = { pid: current.pid, host: current.host, acquiredAt: current.acquiredAt };
      }
    }
    const current = await readHolder(path);
    throw current === 'missing' || current === 'unreadable'
      ? new ByokError('VAULT_IN_USE', `The vault lock ${path} keeps changing hands; another process is opening this vault. Try again.`)
      : inUse(current);
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const current = await readHolder(this.path);
    if (current !== 'missing' && current !== 'unreadable' && current.token === this.holder.token) await unlink(this.path).catch(() => undefined);
  }
}

async function createExclusively(path: string, holder: LockHolder): Promise<boolean> {
  const staging = `${path}.${holder.token}.tmp`;
  await writeFile(staging, JSON.stringify(holder), { flag: 'wx' });
  try {
    await link(staging, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ByokError('STORAGE_FAILED', `Could not create the vault lock ${path}: check the folder's permissions.`, { path }, { cause: error });
  } finally {
    await unlink(staging).catch(() => undefined);
  }
}

async function readHolder(path: string): Promise<LockHolder | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return 'unreadable';
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string' || typeof parsed.token !== 'string') return 'unreadable';
    return { pid: parsed.pid, host: parsed.host, processStart: parsed.processStart ?? null, acquiredAt: String(parsed.acquiredAt ?? ''), token: parsed.token };
  } catch {
    return 'unreadable';
  }
}

/** Stale: held on this host by a process that no longer exists (or whose pid now names another process). */
export function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (!processExists(holder.pid)) return true;
  const start = processStartTime(holder.pid);
  return holder.processStart !== null && start !== null && start !== holder.processStart;
}

function processStartTime(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); fields are counted after the parenthesised command name, which may hold spaces.
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return afterName[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Removes a lock found stale, under the recovery guard. An unreadable lock (a crash can't leave one, since
 * locks appear whole) is treated as held: removing it is the operator's call.
 */
async function removeStaleLock(path: string, recoveryPath: string, stale: LockHolder | 'unreadable', now: string): Promise<boolean> {
  if (stale === 'unreadable') {
    throw new ByokError('VAULT_IN_USE', `The vault lock ${path} is unreadable. If no other byok process uses this vault, delete that file and try again.`, { path });
  }
  const guard: LockHolder = { pid: process.pid, host: hostname(), processStart: processStartTime(process.pid), acquiredAt: now, token: randomUUID() };
  if (!(await createExclusively(recoveryPath, guard))) {
    const guardHolder = await readHolder(recoveryPath);
    if (guardHolder !== 'missing' && guardHolder !== 'unreadable' && isStale(guardHolder)) await unlink(recoveryPath).catch(() => undefined);
    return false; // someone else is recovering (or just did); retry acquisition
  }
  try {
    const current = await readHolder(path);
    if (current === 'missing' || current === 'unreadable' || current.token !== stale.token || !isStale(current)) return false;
    await unlink(path);
    return true;
  } finally {
    await unlink(recoveryPath).catch(() => undefined);
  }
}

function inUse(holder: LockHolder): ByokError {
  return new ByokError(
    'VAULT_IN_USE',
    `The vault is in use by process ${holder.pid} on host ${holder.host} (since ${holder.acquiredAt}). Close that app or command first; ` +
      `if that process is gone${holder.host === hostname() ? '' : ' (it runs on another host, so this cannot be checked here)'}, delete vault.lock in the vault folder.`,
    { pid: holder.pid, host: holder.host, acquiredAt: holder.acquiredAt },
  );
}
