// One remote key, one local key (main/core/use-cases/remote-key-owner.ts): a KMS binds a key to the first
// material imported into it, forever, so no wrap or import may aim a second local key at a remote key.
// Against the simulator, through the real service, with request files as `byok remote params` writes
// them and then edited the way a mix-up (or a swap on the way) would.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { memoryKeychain } from '../../../main/core/backup/index.ts';
import { addProvider, startWorld, type SimWorld } from './sync-support.ts';

let world: SimWorld;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

type RequestDocument = { entries: Array<{ keyId: string; provider: string; remoteKeyId: string; responseText: string }> };

async function editedRequest(from: string, name: string, edit: (document: RequestDocument) => void): Promise<string> {
  const document = JSON.parse(await readFile(from, 'utf8')) as RequestDocument;
  edit(document);
  const path = join(world.dir, name);
  await writeFile(path, JSON.stringify(document, null, 2));
  return path;
}

async function emptyFolder(name: string): Promise<string> {
  const path = join(world.dir, name);
  await mkdir(path, { recursive: true });
  return path;
}

it('refuses a request file that aims two keys at one remote key, or whose entry is labelled for another remote key', async () => {
  const service = await world.open('request-mixups');
  await addProvider(service, world, 'aws');
  const [first, second] = (await service.generateKeys({ spec: 'AES_256', alias: 'mixup', count: 2 })).keys;
  for (const key of [first, second]) await service.remoteCreateKey({ provider: 'aws', keyId: key!.id });
  const request = join(world.dir, 'mixup-request.json');
  await service.remoteParams({ provider: 'aws', keyIds: [first!.id, second!.id], out: request });

  // The second entry carries the first key's provider response (and says so): two keys, one remote key.
  const shared = await editedRequest(request, 'mixup-shared.json', (document) => {
    document.entries[1] = { ...document.entries[0]!, keyId: document.entries[1]!.keyId };
  });
  const sharedOut = await emptyFolder('mixup-shared-out');
  await expect(service.wrapAll({ paramsPath: shared, outDir: sharedOut })).rejects.toMatchObject({ code: 'PARAMS_KEY_MISMATCH' });
  expect(await readdir(sharedOut)).toEqual([]);

  // The second entry still names its own remote key, but its response is the first key's.
  const mislabelled = await editedRequest(request, 'mixup-mislabelled.json', (document) => {
    document.entries[1]!.responseText = document.entries[0]!.responseText;
  });
  const mislabelledOut = await emptyFolder('mixup-mislabelled-out');
  await expect(service.wrapAll({ paramsPath: mislabelled, outDir: mislabelledOut })).rejects.toMatchObject({ code: 'PARAMS_KEY_MISMATCH', message: expect.stringContaining(second!.id) });
  await expect(service.wrap({ keyId: second!.id, paramsPath: mislabelled, outDir: mislabelledOut })).rejects.toMatchObject({ code: 'PARAMS_KEY_MISMATCH' });
  expect(await readdir(mislabelledOut)).toEqual([]);

  // The file as written wraps both.
  const out = await emptyFolder('mixup-out');
  expect((await service.wrapAll({ paramsPath: request, outDir: out })).keys.map((key) => key.keyId).sort()).toEqual([first!.id, second!.id].sort());
});

it('refuses parameters for one remote key as the wrap target of several new keys', async () => {
  const service = await world.open('bulk-one-remote-key');
  await addProvider(service, world, 'aws');
  const [owner] = (await service.generateKeys({ spec: 'AES_256', alias: 'owner' })).keys;
  await service.remoteCreateKey({ provider: 'aws', keyId: owner!.id });
  const request = join(world.dir, 'bulk-request.json');
  await service.remoteParams({ provider: 'aws', keyIds: [owner!.id], out: request });
  const response = join(world.dir, 'bulk-aws-response.json');
  await writeFile(response, (JSON.parse(await readFile(request, 'utf8')) as RequestDocument).entries[0]!.responseText);

  const out = await emptyFolder('bulk-out');
  const generate = (count: number) => service.generateKeys({ spec: 'AES_256', alias: `bulk-${count}`, count, wrap: { paramsPath: response, outDir: out } });
  await expect(generate(2)).rejects.toMatchObject({ code: 'PARAMS_KEY_MISMATCH' });
  // One new key under the owner's remote key is refused too: that remote key is already the owner's.
  await expect(generate(1)).rejects.toMatchObject({ code: 'PARAMS_KEY_MISMATCH', message: expect.stringContaining(owner!.id) });
  expect((await service.listKeys()).keys.map((key) => key.id)).toEqual([owner!.id]);
  expect(await readdir(out)).toEqual([]);
});

it('refuses to import a bundle into a remote key that belongs to another key', async () => {
  const airGapped = await world.open('owner-air-gapped', memoryKeychain());
  const online = await world.open('owner-online', memoryKeychain());
  await addProvider(online, world, 'aws');
  const [owner, intruder] = (await airGapped.generateKeys({ spec: 'AES_256', alias: 'owned', count: 2 })).keys;
  for (const key of [owner, intruder]) {
    await online.remoteCreateKey({ provider: 'aws', keyId: key!.id, spec: 'AES_256', check: key!.check.value } as Parameters<typeof online.remoteCreateKey>[0]);
  }
  const request = join(world.dir, 'owner-request.json');
  await online.remoteParams({ provider: 'aws', keyIds: [owner!.id], out: request });
  // The air-gapped vault has no bindings: a request file relabelled for the other key looks consistent there.
  const relabelled = await editedRequest(request, 'owner-relabelled.json', (document) => {
    document.entries[0]!.keyId = intruder!.id;
  });
  const out = await emptyFolder('owner-out');
  const bundle = (await airGapped.wrap({ keyId: intruder!.id, paramsPath: relabelled, outDir: out })).files.find((file) => file.name === 'bundle.json')!.path;

  const trustSigner = (await airGapped.vaultInfo()).ceremonyPublicKey!;
  await expect(online.importBundle({ path: bundle, trustSigner })).rejects.toMatchObject({ code: 'PARAMS_KEY_MISMATCH', message: expect.stringContaining(owner!.id) });
  expect((await world.state()).keys.filter((entry) => entry.everImported === true)).toEqual([]);
  // The refused import trusted nothing: its signer is still unknown to the connected vault.
  await expect(online.importBundle({ path: bundle })).rejects.toMatchObject({ code: 'BUNDLE_SIGNER_UNTRUSTED' });
});

it('refuses on the air-gapped machine (no bindings there) to wrap a second key for a remote key it already wrapped a key for', async () => {
  const airGapped = await world.open('wrapped-air-gapped', memoryKeychain());
  const online = await world.open('wrapped-online', memoryKeychain());
  await addProvider(online, world, 'aws');
  const [first, second] = (await airGapped.generateKeys({ spec: 'AES_256', alias: 'wrapped', count: 2 })).keys;
  await online.remoteCreateKey({ provider: 'aws', keyId: first!.id, spec: 'AES_256', check: first!.check.value } as Parameters<typeof online.remoteCreateKey>[0]);
  const request = join(world.dir, 'wrapped-request.json');
  await online.remoteParams({ provider: 'aws', keyIds: [first!.id], out: request });
  // The provider's own response, as a console or CLI user would save it: it names the remote key only.
  const response = join(world.dir, 'wrapped-aws-response.json');
  await writeFile(response, (JSON.parse(await readFile(request, 'utf8')) as RequestDocument).entries[0]!.responseText);

  await airGapped.wrap({ keyId: first!.id, paramsPath: response, outDir: await emptyFolder('wrapped-first') });
  const secondOut = await emptyFolder('wrapped-second');
  await expect(airGapped.wrap({ keyId: second!.id, paramsPath: response, outDir: secondOut })).rejects.toMatchObject({ code: 'PARAMS_KEY_MISMATCH', message: expect.stringContaining(first!.id) });
  expect(await readdir(secondOut)).toEqual([]);
  // The same key again (a renewal, or a second copy) is fine.
  await expect(airGapped.wrap({ keyId: first!.id, paramsPath: response, outDir: await emptyFolder('wrapped-again') })).resolves.toMatchObject({ provider: 'aws' });
});
