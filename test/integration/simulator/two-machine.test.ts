// The two-machine flow with files only: the key is generated on an air-gapped vault (its own folder and
// keychain namespace); the connected vault creates the remote key and writes a request file; the
// air-gapped vault wraps from it; the connected vault imports the bundle. When the material expires,
// the connected vault (which holds no backup) writes a renewal request, and the round trip repeats.
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createBundle, ed25519Signer, type BundleInput } from '../../../main/core/wrap/bundle.ts';
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

  // The connected vault imports only bundles signed by a ceremony key it trusts: the air-gapped vault's
  // key, as that vault's `vault info` shows it, is given once.
  const firstBundle = await wrapOnAirGapped(request, 'first');
  await expect(online.importBundle({ path: firstBundle })).rejects.toMatchObject({ code: 'BUNDLE_SIGNER_UNTRUSTED', message: expect.stringContaining('--trust-signer') });
  const airGappedKey = (await airGapped.vaultInfo()).ceremonyPublicKey!;
  const imported = await online.importBundle({ path: firstBundle, trustSigner: airGappedKey });
  expect(imported).toMatchObject({ keyId: key!.id, remoteKeyId: created.remoteKeyId, state: 'Enabled' });
  const history = (await online.keyHistory(key!.id)).events;
  expect(history.some((event) => event.type === 'kms.import' && event.summary.includes('action=signer-trusted') && event.summary.includes(airGappedKey))).toBe(true);
  // The connected vault learned the key's check value from the signed bundle.
  expect((await online.listKeys()).keys.find((entry) => entry.id === key!.id)!.check).toEqual(key!.check);

  world.sim.clock.advance(31 * DAY_MS);
  const sync = await online.sync({});
  expect(sync.expired).toEqual([key!.id]);
  expect(sync.renewed).toEqual([]);
  expect(sync.renewalRequests).toHaveLength(1);
  // A second sync in the same cycle does not write another request while the first one's parameters hold.
  expect((await online.sync({})).renewalRequests).toEqual([]);

  // Trusted once, trusted for later bundles of that vault.
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
  const trustSigner = (await airGapped.vaultInfo()).ceremonyPublicKey!;
  await expect(online.importBundle({ path: bundle, trustSigner })).rejects.toMatchObject({ code: 'BUNDLE_INVALID' });
  expect((await world.state()).keys.filter((entry) => entry.everImported === true && String(entry.alias).includes(key!.id))).toEqual([]);
});

/** The same bundle fields (and provider files) signed by a key nobody trusts: what a file swap on the way would bring. */
async function resignedByStranger(bundlePath: string, outDir: string): Promise<string> {
  await cp(dirname(bundlePath), outDir, { recursive: true });
  const { format: _format, version: _version, signature: _signature, ...fields } = JSON.parse(await readFile(bundlePath, 'utf8'));
  const forged = join(outDir, 'bundle.json');
  await writeFile(forged, createBundle(fields as BundleInput, ed25519Signer(generateKeyPairSync('ed25519').privateKey)));
  return forged;
}

it('imports no bundle signed by a ceremony key it does not trust, before or after trusting the real one', async () => {
  const airGapped = await world.open('air-gapped-signer', memoryKeychain());
  const online = await world.open('online-signer', memoryKeychain());
  await addProvider(online, world, 'aws');
  const [key] = (await airGapped.generateKeys({ spec: 'AES_256', alias: 'signed' })).keys;
  await online.remoteCreateKey({ provider: 'aws', keyId: key!.id, spec: 'AES_256', check: key!.check.value } as Parameters<typeof online.remoteCreateKey>[0]);
  const request = join(world.dir, 'signer-request.json');
  await online.remoteParams({ provider: 'aws', keyIds: [key!.id], out: request });
  const outDir = join(world.dir, 'signer-out');
  await mkdir(outDir, { recursive: true });
  const genuine = (await airGapped.wrap({ keyId: key!.id, paramsPath: request, outDir })).files.find((file) => file.name === 'bundle.json')!.path;
  const forged = await resignedByStranger(genuine, join(world.dir, 'signer-forged'));
  const forgedSigner = JSON.parse(await readFile(forged, 'utf8')).signature.publicKey as string;
  const airGappedKey = (await airGapped.vaultInfo()).ceremonyPublicKey!;
  const importedAtSim = async () => (await world.state()).keys.filter((entry) => entry.everImported === true && String(entry.alias).includes(key!.id));

  // The forgery verifies on its own terms (a valid signature by its own key), and is still refused.
  await expect(online.verifyBundle({ path: forged })).resolves.toMatchObject({ valid: true, signedByThisVault: false });
  await expect(online.importBundle({ path: forged })).rejects.toMatchObject({ code: 'BUNDLE_SIGNER_UNTRUSTED', message: expect.stringContaining(forgedSigner) });
  // Trusting one key while presenting a bundle signed by another trusts nothing.
  await expect(online.importBundle({ path: forged, trustSigner: airGappedKey })).rejects.toMatchObject({ code: 'BUNDLE_SIGNER_UNTRUSTED' });
  expect(await importedAtSim()).toEqual([]);

  await expect(online.importBundle({ path: genuine, trustSigner: airGappedKey })).resolves.toMatchObject({ state: 'Enabled' });
  await expect(online.importBundle({ path: forged })).rejects.toMatchObject({ code: 'BUNDLE_SIGNER_UNTRUSTED' });
  // Once the vault trusts a signer, `bundle verify` refuses every other one, here and at the vault that signed.
  await expect(online.verifyBundle({ path: forged })).rejects.toMatchObject({ code: 'BUNDLE_SIGNER_UNTRUSTED' });
  await expect(online.verifyBundle({ path: genuine })).resolves.toMatchObject({ valid: true, signedByThisVault: false, signerPublicKey: airGappedKey });
  await expect(airGapped.verifyBundle({ path: forged })).rejects.toMatchObject({ code: 'BUNDLE_SIGNER_UNTRUSTED' });
  await expect(airGapped.verifyBundle({ path: genuine })).resolves.toMatchObject({ valid: true, signedByThisVault: true });
  expect(await importedAtSim()).toHaveLength(1);
});

it('refuses a key id that could not have come from a vault before creating anything at the KMS', async () => {
  const online = await world.open('online-bad-id', memoryKeychain());
  await addProvider(online, world, 'aws');
  const keysBefore = (await world.state()).keys.length;
  for (const keyId of ['../../../tmp/x', 'key 1', 'key\u0007']) {
    await expect(online.remoteCreateKey({ provider: 'aws', keyId, spec: 'AES_256', check: 'A1B2C3' } as Parameters<typeof online.remoteCreateKey>[0])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  }
  expect((await world.state()).keys).toHaveLength(keysBefore);
  expect((await online.listKeys()).keys).toEqual([]);
});
