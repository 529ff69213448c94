// Faults: the simulator fails 20% of requests (5xx, throttling, timeouts, malformed replies, dropped
// connections, drawn from a seeded generator). A sync of 200 keys at three providers (100 AWS, 50
// Tencent, 50 Huawei) must converge: every key imported exactly once (counted by a proxy outside the
// client), none lost, every job done.
//
// "Exactly once", precisely: each key's material is imported by one job, and the client is told of its
// success once. An import whose reply was lost (a timeout, drop or malformed reply after the simulator
// carried it out) is retried; AWS and Tencent take the same material into an Enabled key, so the retry
// presents it again as the proof that the key holds this material (the state alone proves nothing):
// those repeats carry the identical wrapped bytes, and each follows a lost reply. Huawei takes no import
// into an Enabled key: there the retry decides on the key's state, and every key is imported once.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isoUtc } from '../../../main/core/clock.ts';
import { startCountingProxy, type CountingProxy } from './sync-counting-proxy.ts';
import { PROVIDER_LOGINS, startWorld, type SimWorld } from './sync-support.ts';

const KEYS = 200;
let world: SimWorld;
let proxy: CountingProxy;

beforeAll(async () => {
  world = await startWorld({ faultHoldMs: 200 });
  proxy = await startCountingProxy(world.sim.url);
});
afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

const FLEET = [
  { type: 'aws', keys: 100, region: 'eu-west-1' },
  { type: 'tencent', keys: 50, region: 'ap-guangzhou' },
  { type: 'huawei', keys: 50, region: 'cn-north-4' },
] as const;

it('converges on 200 imports at three providers with 20% mixed faults, importing every key exactly once', { timeout: 120_000 }, async () => {
  const service = await world.open('faults');
  const remoteIds = new Map<string, string>();
  const expiry = isoUtc(new Date(world.clock.now().getTime() + 90 * 86_400_000));
  for (const { type, keys: count, region } of FLEET) {
    const login = PROVIDER_LOGINS[type];
    await service.providerAdd({ name: type, type, region, endpoint: proxy.url, accessKeyId: login.accessKeyId, secret: login.secret, ...('projectId' in login ? { projectId: login.projectId } : {}) });
    const { keys } = await service.generateKeys({ spec: 'AES_256', alias: `fleet-${type}`, count });
    for (const key of keys) remoteIds.set(key.id, (await service.remoteCreateKey({ provider: type, keyId: key.id })).remoteKeyId);
    const request = join(world.dir, `fleet-${type}-request.json`);
    await service.remoteParams({ provider: type, keyIds: keys.map((key) => key.id), out: request });
    await service.wrapAll({ paramsPath: request, outDir: join(world.dir, `fleet-${type}`), materialExpiry: expiry });
  }
  expect(remoteIds.size).toBe(KEYS);

  await world.faults({ rate: 0.2, kinds: ['5xx', 'timeout', 'throttle', 'malformed', 'drop'], seed: 20261125 });
  const imported = new Set<string>();
  let rounds = 0;
  for (;;) {
    rounds++;
    const reply = await service.sync({});
    for (const id of reply.imported) {
      expect(imported.has(id)).toBe(false);
      imported.add(id);
    }
    expect(reply.failedJobs.filter((job) => !job.id.startsWith('refresh:'))).toEqual([]);
    if (reply.pendingJobs === 0 && reply.failedJobs.length === 0) break;
    expect(rounds).toBeLessThan(10);
  }
  await world.faults({ rate: 0 });

  expect(imported.size).toBe(KEYS);
  const jobs = (await service.syncJobs()).jobs.filter((job) => job.kind === 'import');
  expect(jobs).toHaveLength(KEYS);
  expect(jobs.every((job) => job.status === 'done')).toBe(true);
  const state = await world.state();
  let represented = 0;
  for (const [keyId, remoteKeyId] of remoteIds) {
    const bare = remoteKeyId.split('/').pop()!;
    expect(state.keys.find((entry) => entry.keyId === bare), bare).toMatchObject({ state: 'Enabled' });
    const log = proxy.importLog.get(bare) ?? [];
    const type = (await service.listKeys()).keys.find((entry) => entry.id === keyId)!.remote[0]!.provider;
    expect(new Set(log.map((entry) => entry.material)).size, `one material for ${bare}`).toBe(1);
    expect(log.filter((entry) => entry.reply === 'refused'), `refusals for ${bare}`).toEqual([]);
    if (type === 'huawei') {
      expect(log, `imports of ${bare}`).toHaveLength(1);
    } else {
      // Told of success once; every other import of the key followed a reply that never reached it.
      expect(log.filter((entry) => entry.reply === 'ok'), `successes told for ${bare}`).toHaveLength(1);
      expect(log.at(-1)!.reply, `last import of ${bare}`).toBe('ok');
      represented += log.length - 1;
    }
  }
  // The faults did strike imports after execution: the proof by re-import was exercised.
  expect(represented).toBeGreaterThan(0);
});
