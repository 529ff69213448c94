// The simulator is a test and rehearsal tool: it must never be reachable from another machine.
import { isIP } from 'node:net';

/** True for 127.0.0.0/8, ::1 and the IPv4-mapped form of 127.0.0.0/8; `localhost` is resolved by name. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  const family = isIP(bare);
  if (family === 4) return bare.split('.')[0] === '127';
  if (family === 6) {
    const lower = bare.toLowerCase();
    if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    return mapped !== null && mapped[1]!.split('.')[0] === '127';
  }
  return false;
}

export function assertLoopbackHost(host: string): void {
  if (!isLoopbackHost(host)) {
    throw new Error(
      `The KMS simulator binds only to loopback (127.0.0.0/8 or ::1); refusing host "${host}". ` +
        'Use --host 127.0.0.1 or leave it out.',
    );
  }
}
