// Is this machine offline? A ceremony wants an air gap: no network interface but loopback with an
// address, and no default route. Read-only: it opens no socket.
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { OfflineCheckReply } from '../../shared/ceremony-api.ts';
import { isoUtc, type Clock } from './clock.ts';

export interface OfflineProbe {
  interfaces(): NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]>;
  routeTables(): Promise<string[]>;
}

const osProbe: OfflineProbe = {
  interfaces: () => networkInterfaces(),
  // Linux exposes the routing tables as text; elsewhere we fall back to "a non-loopback interface is up".
  routeTables: async () => {
    const tables: string[] = [];
    for (const path of ['/proc/net/route', '/proc/net/ipv6_route']) {
      try {
        tables.push(await readFile(path, 'utf8'));
      } catch {
        // not Linux, or no IPv6
      }
    }
    return tables;
  },
};

/** A default route in /proc/net/route has destination 00000000; in ipv6_route, ::/0. */
export function hasDefaultRoute(tables: string[]): boolean {
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length >= 8 && fields[1] === '00000000' && fields[7] === '00000000') return true; // IPv4: Destination, Mask
      if (fields.length >= 10 && /^0{32}$/.test(fields[0] ?? '') && fields[1] === '00' && fields[9] !== 'lo') return true; // IPv6 ::/0
    }
  }
  return false;
}

export async function checkOffline(clock: Clock, probe: OfflineProbe = osProbe): Promise<OfflineCheckReply> {
  const interfaces: OfflineCheckReply['interfaces'] = [];
  for (const [name, addresses] of Object.entries(probe.interfaces())) {
    const external = (addresses ?? []).filter((address) => !address.internal);
    if (external.length > 0) interfaces.push({ name, addresses: external.map((address) => address.address) });
  }
  const defaultRoute = hasDefaultRoute(await probe.routeTables());
  return { offline: interfaces.length === 0 && !defaultRoute, interfaces, defaultRoute, checkedAt: isoUtc(clock.now()) };
}
