// The two-machine flow with files only: the key is generated on an air-gapped vault (its own folder and
// keychain namespace); the connected vault creates the remote key and writes a request file; the
// air-gapped vault wraps from it; the connected vault imports the bundle. When the material expires,
// the connected vault (which holds no backup) writes a renewal request, and the round trip repeats.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isoUtc } from '../../../main/core/clock.ts';
import { memoryKeychain } from '../../../main/core/backup/index.ts';
import { addProvider, startWorld, type SimWorld } from './sync-support.ts';

const DAY_MS = 86_400_000;
let world: SimWorld;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

it.each(['tencent', 'aws'] as const)('carries parameters and bundles between an air-gapped and a connected vault (%s)', async (type) => {
  const airGapped = await world.open(`air-gapped-${type}`, memoryKeychain());
  const online = await world.open(`online-${type}`, memoryKeychain());
  await addProvider(online, world, type);

  const [key] = (await airGapped.generateKeys({ spec: 'AES_256', alias: 'two-machine' })).keys;
  // The operator carries the key id, spec and KCV across; the connected vault knows nothing else yet.
  const createRequest = { provider: type, keyId: key!.id, spec: 'AES_256', check: key!.check.value };
  const created = await online.remoteCreateKey(createRequest as Parameters<typeof online.remoteCreateKey>[0]);
  const request = join(world.dir, `${type}-request.json`);
  const fetched = await online.remoteParams({ provider: type, keyIds: [key!.id], out: request });
  expect(fetched.keys).toBe(1);
  await expect(online.remoteParams({ provider: type, keyIds: [key!.id], out: request })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });

  const wrapOnAirGapped = async (requestPath: string, label: string) => {
    const outDir = join(world.dir, `${type}-${label}`);
    await mkdir(outDir, { recursive: true });
    const materialExpiry = isoUtc(new Date(world.clock.now().getTime() + 30 * DAY_MS));
    const reply = await airGapped.wrap({ keyId: key!.id, paramsPath: requestPath, outDir, materialExpiry });
    return reply.files.find((file) => file.name === 'bundle.json')!.path;
  };

  const imported = await online.importBundle({ path: await wrapOnAirGapped(request, 'first') });
  expect(imported).toMatchObject({ keyId: key!.id, remoteKeyId: created.remoteKeyId, state: 'Enabled' });
  // The connected vault learned the key's check value from the signed bundle.
  expect((await online.listKeys()).keys.find((entry) => entry.id === key!.id)!.check).toEqual(key!.check);

  world.sim.clock.advance(31 * DAY_MS);
  const sync = await online.sync({});
  expect(sync.expired).toEqual([key!.id]);
  expect(sync.renewed).toEqual([]);
  expect(sync.renewalRequests).toHaveLength(1);
  // A second sync in the same cycle does not write another request while the first one's parameters hold.
  expect((await online.sync({})).renewalRequests).toEqual([]);

  const renewed = await online.importBundle({ path: await wrapOnAirGapped(sync.renewalRequests[0]!, 'renewal') });
  expect(renewed).toMatchObject({ state: 'Enabled' });
  const after = await online.sync({});
  expect(after).toMatchObject({ expired: [], drifted: [], failedJobs: [] });
});

it('refuses a bundle whose check value is not the one read at the air-gapped machine', async () => {
  const airGapped = await world.open('air-gapped-check', memoryKeychain());
  const online = await world.open('online-check', memoryKeychain());
  await addProvider(online, world, 'aws');
  const [key] = (await airGapped.generateKeys({ spec: 'AES_256', alias: 'misread' })).keys;
  const withoutCheck = { provider: 'aws', keyId: key!.id, spec: 'AES_256' };
  await expect(online.remoteCreateKey(withoutCheck as Parameters<typeof online.remoteCreateKey>[0])).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  const misread = key!.check.value === 'ABCDEF' ? '123456' : 'ABCDEF';
  await online.remoteCreateKey({ ...withoutCheck, check: misread } as Parameters<typeof online.remoteCreateKey>[0]);
  const request = join(world.dir, 'misread-request.json');
  await online.remoteParams({ provider: 'aws', keyIds: [key!.id], out: request });
  const outDir = join(world.dir, 'misread-out');
  await mkdir(outDir, { recursive: true });
  const wrapped = await airGapped.wrap({ keyId: key!.id, paramsPath: request, outDir });
  const bundle = wrapped.files.find((file) => file.name === 'bundle.json')!.path;
  await expect(online.importBundle({ path: bundle })).rejects.toMatchObject({ code: 'BUNDLE_INVALID' });
  expect((await world.state()).keys.filter((entry) => entry.everImported === true && String(entry.alias).includes(key!.id))).toEqual([]);
});
