// End to end against the loopback KMS simulator, through the real ceremony service, the real adapters
// (the official AWS SDK for AWS), real files and the vault: create → params → wrap → import → Enabled;
// expiry → PendingImport found by sync → renewal re-imports the same material → Enabled; refusals.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBundle, ed25519Signer, type BundleInput } from '../../../main/core/wrap/bundle.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoUtc } from '../../../main/core/clock.ts';
import { addProvider, paramsFileFor, startWorld, type SimWorld } from './sync-support.ts';

const DAY_MS = 86_400_000;
let world: SimWorld;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

async function wrapFor(service: Awaited<ReturnType<SimWorld['open']>>, keyId: string, provider: string, name: string, options: { remoteKeyOf?: string; materialExpiry?: string } = {}) {
  const request = join(world.dir, `${name}-request.json`);
  await service.remoteParams({ provider, keyIds: [options.remoteKeyOf ?? keyId], out: request });
  // Our request file goes to `wrap` as it is; only the wrong-material case lifts another key's entry out.
  const params = options.remoteKeyOf ? await paramsFileFor(request, options.remoteKeyOf, join(world.dir, `${name}-params.json`)) : request;
  const outDir = join(world.dir, `${name}-out`);
  await mkdir(outDir, { recursive: true });
  const reply = await service.wrap({ keyId, paramsPath: params, outDir, ...(options.materialExpiry ? { materialExpiry: options.materialExpiry } : {}) });
  return reply.files.find((file) => file.name === 'bundle.json')!.path;
}

describe('connected mode against the simulator (AWS)', () => {
  it('imports, finds the expired material, renews it with the same material, and refuses what the KMS refuses', async () => {
    const service = await world.open('aws-vault');
    await addProvider(service, world, 'aws');
    const [key, other] = (await service.generateKeys({ spec: 'AES_256', alias: 'payments', count: 2 })).keys;
    const created = await service.remoteCreateKey({ provider: 'aws', keyId: key!.id });
    expect(created.remoteKeyId).toBeTruthy();

    const expiry = isoUtc(new Date(world.clock.now().getTime() + 30 * DAY_MS));
    const bundle = await wrapFor(service, key!.id, 'aws', 'first', { materialExpiry: expiry });
    const imported = await service.importBundle({ path: bundle });
    expect(imported).toMatchObject({ keyId: key!.id, state: 'Enabled', materialExpiry: expiry, remoteKeyId: created.remoteKeyId });
    expect(imported.proof).toMatch(/symmetric/);

    const quiet = await service.sync({ renewalWindowDays: 7 });
    expect(quiet).toMatchObject({ imported: [], expiring: [], expired: [], drifted: [], renewed: [] });
    const soon = await service.sync({ renewalWindowDays: 0 });
    expect(soon.expiring).toEqual([]);

    // Within the renewal window: AWS takes a re-import while Enabled, so the expiry is pushed out now.
    world.sim.clock.advance(10 * DAY_MS);
    const early = await service.sync({ renewalWindowDays: 21 });
    expect(early.expiring).toEqual([{ id: key!.id, materialExpiry: expiry }]);
    expect(early.renewed).toEqual([key!.id]);
    const pushedOut = (await service.listKeys()).keys.find((entry) => entry.id === key!.id)!.remote[0]!.materialExpiry!;
    expect(Date.parse(pushedOut)).toBeGreaterThan(Date.parse(expiry));

    // The material expires at the KMS: the key goes back to PendingImport; sync finds it and renews it.
    world.sim.clock.advance(400 * DAY_MS);
    const renewal = await service.sync({});
    expect(renewal.expired).toEqual([key!.id]);
    expect(renewal.renewed).toEqual([key!.id]);
    const after = (await world.state()).keys.find((entry) => created.remoteKeyId.endsWith(String(entry.keyId)))!;
    expect(after.state).toBe('Enabled');
    const listed = await service.listKeys();
    expect(listed.keys.find((entry) => entry.id === key!.id)!.remote[0]).toMatchObject({ state: 'Enabled' });

    // Deleting the material on purpose: PendingImport, and sync does not call it expired.
    await expect(service.deleteMaterial({ keyId: key!.id })).resolves.toMatchObject({ state: 'PendingImport' });
    // Another key wrapped under parameters for this (now empty) remote key is refused before any material
    // is read: the remote key belongs to `key` (the KMS would bind it to whichever material came first).
    await expect(wrapFor(service, other!.id, 'aws', 'wrong', { remoteKeyOf: key!.id, materialExpiry: isoUtc(new Date(world.clock.now().getTime() + 30 * DAY_MS)) })).rejects.toMatchObject({
      code: 'PARAMS_KEY_MISMATCH',
      message: expect.stringContaining(key!.id),
    });
    expect(await readdir(join(world.dir, 'wrong-out'))).toEqual([]);

    const afterDelete = await service.sync({});
    expect(afterDelete.expired).toEqual([]);
  });

  it('refuses an import whose parameters expired at the KMS with KMS_TOKEN_EXPIRED', async () => {
    const service = await world.open('aws-expired');
    await addProvider(service, world, 'aws');
    const [key] = (await service.generateKeys({ spec: 'AES_256', alias: 'late' })).keys;
    await service.remoteCreateKey({ provider: 'aws', keyId: key!.id });
    const bundle = await wrapFor(service, key!.id, 'aws', 'late');
    world.sim.clock.advance(25 * 3_600_000);
    // `sync` does not push a bundle whose parameters expired; it says why the key waits.
    const waiting = await service.sync({});
    expect(waiting.failedJobs).toEqual([{ id: `params:${key!.id}`, reason: expect.stringMatching(/^PARAMS_EXPIRED/) }]);
    // Pushed anyway, the KMS refuses it with the right error.
    await expect(service.importBundle({ path: bundle })).rejects.toMatchObject({ code: 'KMS_TOKEN_EXPIRED' });
    const jobs = await service.syncJobs();
    expect(jobs.jobs.find((job) => job.keyId === key!.id)).toMatchObject({ status: 'failed' });
  });
});

describe('renewing one key on demand', () => {
  it('re-imports from the backup here, or writes a renewal request when asked for a file', async () => {
    const service = await world.open('renew-on-demand');
    await addProvider(service, world, 'tencent');
    const [key] = (await service.generateKeys({ spec: 'AES_256', alias: 'renew-me' })).keys;
    await service.remoteCreateKey({ provider: 'tencent', keyId: key!.id });
    const first = isoUtc(new Date(world.clock.now().getTime() + 10 * DAY_MS));
    await service.importBundle({ path: await wrapFor(service, key!.id, 'tencent', 'renew-first', { materialExpiry: first }) });

    const later = isoUtc(new Date(world.clock.now().getTime() + 200 * DAY_MS));
    const renewed = await service.renewKey({ keyId: key!.id, materialExpiry: later });
    expect(renewed).toEqual({ keyId: key!.id, renewed: true, renewalRequest: null, materialExpiry: later });
    const remote = (await service.listKeys()).keys.find((entry) => entry.id === key!.id)!.remote[0]!;
    expect(remote).toMatchObject({ state: 'Enabled', materialExpiry: later });

    const out = join(world.dir, 'renew-on-demand-request.json');
    const request = await service.renewKey({ keyId: key!.id, out });
    expect(request).toMatchObject({ renewed: false, renewalRequest: out });
    await expect(service.renewKey({ keyId: key!.id, out })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
  });
});

describe('connected mode against the simulator (Huawei, asymmetric)', () => {
  it('imports an EC key as two fields, proves it by the public key, and cannot delete its material', async () => {
    const service = await world.open('huawei-vault');
    await addProvider(service, world, 'huawei');
    const [key] = (await service.generateKeys({ spec: 'EC_P256', alias: 'signing' })).keys;
    await service.remoteCreateKey({ provider: 'huawei', keyId: key!.id });
    const bundle = await wrapFor(service, key!.id, 'huawei', 'ec');
    const imported = await service.importBundle({ path: bundle });
    expect(imported).toMatchObject({ state: 'Enabled', materialExpiry: null });
    expect(imported.proof).toContain(key!.check.value);
    await expect(service.deleteMaterial({ keyId: key!.id })).rejects.toMatchObject({ code: 'KMS_INVALID_STATE' });
    world.sim.clock.advance(400 * DAY_MS);
    const later = await service.sync({});
    expect(later).toMatchObject({ expired: [], drifted: [], expiring: [] });
  });
});

describe('sync pushes only the bundles this vault wrote', () => {
  it('refuses a recorded bundle whose file was replaced, even by a validly signed one, and pushes the original', async () => {
    const service = await world.open('swap-vault');
    await addProvider(service, world, 'aws');
    const [key] = (await service.generateKeys({ spec: 'AES_256', alias: 'swapped' })).keys;
    await service.remoteCreateKey({ provider: 'aws', keyId: key!.id });
    const bundle = await wrapFor(service, key!.id, 'aws', 'swap');
    const genuine = await readFile(bundle);
    // Same fields, signed by a stranger's key, at the path the vault recorded.
    const { format: _format, version: _version, signature: _signature, ...fields } = JSON.parse(genuine.toString('utf8'));
    await writeFile(bundle, createBundle(fields as BundleInput, ed25519Signer(generateKeyPairSync('ed25519').privateKey)));

    const refused = await service.sync({});
    expect(refused.imported).toEqual([]);
    expect(refused.failedJobs).toContainEqual({ id: `bundle:${bundle}`, reason: expect.stringMatching(/^BUNDLE_INVALID: .*SHA-256 differs/) });
    expect((await world.state()).keys.filter((entry) => entry.everImported === true && String(entry.alias).includes(key!.id))).toEqual([]);

    await writeFile(bundle, genuine);
    expect((await service.sync({})).imported).toEqual([key!.id]);
  });
});
