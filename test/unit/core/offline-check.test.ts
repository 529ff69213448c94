import { describe, expect, it } from 'vitest';
import { checkOffline, hasDefaultRoute } from '../../../main/core/offline-check.ts';
import { FixedClock } from '../../../main/core/clock.ts';

const ROUTE_HEADER = 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT';
const loopbackOnly = { lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }] } as const;

describe('offline check', () => {
  it('finds a default route in the IPv4 routing table', () => {
    expect(hasDefaultRoute([`${ROUTE_HEADER}\neth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0`])).toBe(true);
  });
  it('does not count a subnet route as a default route', () => {
    expect(hasDefaultRoute([`${ROUTE_HEADER}\neth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0`])).toBe(false);
  });
  it('reports offline when only loopback is up and there is no default route', async () => {
    const reply = await checkOffline(new FixedClock('2026-11-25T00:00:00Z'), { interfaces: () => ({ ...loopbackOnly }) as never, routeTables: async () => [ROUTE_HEADER] });
    expect(reply).toMatchObject({ offline: true, interfaces: [], defaultRoute: false, checkedAt: '2026-11-25T00:00:00Z' });
  });
  it('reports online and names the interface when a non-loopback address is up', async () => {
    const interfaces = { ...loopbackOnly, wlan0: [{ address: '192.168.1.5', netmask: '255.255.255.0', family: 'IPv4', mac: 'aa:bb:cc:dd:ee:ff', internal: false, cidr: '192.168.1.5/24' }] };
    const reply = await checkOffline(new FixedClock('2026-11-25T00:00:00Z'), { interfaces: () => interfaces as never, routeTables: async () => [ROUTE_HEADER] });
    expect(reply.offline).toBe(false);
    expect(reply.interfaces).toEqual([{ name: 'wlan0', addresses: ['192.168.1.5'] }]);
  });
});
