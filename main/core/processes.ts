// Whether a process id names a running process on this host (for stale locks and abandoned rehearsals).

/** True when `pid` runs (EPERM: it runs, under another user). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
