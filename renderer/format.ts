// Display helpers: countdowns and short identifiers. Times come in as ISO-8601 UTC and are shown with
// their zone, as the design requires for every deadline.

export function secondsUntil(iso: string, now: Date): number {
  return Math.round((Date.parse(iso) - now.getTime()) / 1000);
}

/** "12d 4h", "3h 20m", "expired 2d ago" — coarse on purpose: it is read at a glance in a table. */
export function formatCountdown(seconds: number): { text: string; past: boolean } {
  const past = seconds < 0;
  let rest = Math.abs(seconds);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  const minutes = Math.floor((rest - hours * 3600) / 60);
  const text = days > 0 ? `${days}d ${hours}h` : hours > 0 ? `${hours}h ${minutes}m` : `${minutes}m`;
  return { text, past };
}

export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
}

export function shortCheck(value: string, kind: 'kcv' | 'fingerprint'): string {
  return kind === 'kcv' ? value : `${value.slice(0, 16)}…`;
}

/** A folder-safe name for a key's output subfolder. */
export function folderNameFor(alias: string): string {
  return alias.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'key';
}

export function joinPath(dir: string, name: string): string {
  const separator = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(separator) ? `${dir}${name}` : `${dir}${separator}${name}`;
}
