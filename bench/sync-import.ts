// sync-import: importing 500 keys through the sync engine (queued jobs, durable claims and outcomes in
// the vault journal, rate limit, retries, proof, audit) against the loopback simulator, vs a bare loop
// of official AWS SDK ImportKeyMaterial calls doing the same imports into another 500 keys. Wrapping is
// done beforehand for both (same parameters source, same wrap). Ratio = engine time ÷ bare loop time.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ImportKeyMaterialCommand, KMSClient } from '@aws-sdk/client-kms';
import { memoryKeychain } from '../main/core/backup/index.ts';
import { decodeBase64Strict, verifyBundle } from '../main/core/wrap/index.ts';
import { startSimulator } from '../main/kms-sim/index.ts';
import { createCeremonyService } from '../main/core/ceremony.ts';

const SIM_CREDENTIALS = { aws: { accessKeyId: 'AKIABENCHSIMULATOR01', secretAccessKey: 'bench-secret-0123456789abcdefghijklmnopq' } };

const KEYS = 500;

export async function run(): Promise<{ name: 'sync-import'; ratio: number; goal: '<= 1.5'; figures: Record<string, number | string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-sync-import-'));
  const sim = await startSimulator({ port: 0, stateDir: join(dir, 'sim'), credentials: SIM_CREDENTIALS });
  const clock = { now: () => sim.clock.now() };
  const service = await createCeremonyService({ vaultDir: join(dir, 'vault'), create: true, clock, keychain: memoryKeychain() });
  try {
    await service.providerAdd({ name: 'aws', type: 'aws', region: 'eu-west-1', endpoint: sim.url, accessKeyId: SIM_CREDENTIALS.aws.accessKeyId, secret: SIM_CREDENTIALS.aws.secretAccessKey });
    const expiry = new Date(clock.now().getTime() + 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const prepare = async (label: string) => {
      const { keys } = await service.generateKeys({ spec: 'AES_256', alias: label, count: KEYS });
      for (const key of keys) await service.remoteCreateKey({ provider: 'aws', keyId: key.id });
      const request = join(dir, `${label}-request.json`);
      await service.remoteParams({ provider: 'aws', keyIds: keys.map((key) => key.id), out: request });
      const { keys: wrapped } = await service.wrapAll({ paramsPath: request, outDir: join(dir, label), materialExpiry: expiry });
      const bundles = wrapped.map((reply) => reply.files.find((file) => file.name === 'bundle.json')!.path);
      return Promise.all(bundles.map(async (path) => ({ path, bytes: await readFile(path) })));
    };
    await prepare('engine');

    // Ours: `sync` finds the 500 wrapped bundles, queues their imports, pushes them, pulls all states.
    const engineStarted = performance.now();
    const reply = await service.sync({});
    const engineMs = performance.now() - engineStarted;
    if (reply.imported.length !== KEYS) throw new Error(`the engine imported ${reply.imported.length} of ${KEYS} keys`);
    const syncOnly = performance.now();
    await service.sync({});
    const pullMs = performance.now() - syncOnly;

    const bareSet = await prepare('bare');

    // Baseline: a bare loop of SDK calls.
    const client = new KMSClient({ region: 'eu-west-1', endpoint: sim.url, credentials: { accessKeyId: SIM_CREDENTIALS.aws.accessKeyId, secretAccessKey: SIM_CREDENTIALS.aws.secretAccessKey } });
    const bareStarted = performance.now();
    for (const { path, bytes } of bareSet) {
      const { bundle } = verifyBundle(bytes, { checkFilesIn: join(path, '..') });
      const wrapped = bundle.wrapped as { ciphertext: string };
      await client.send(
        new ImportKeyMaterialCommand({
          KeyId: bundle.remoteKeyId!,
          ImportToken: decodeBase64Strict(bundle.importToken!, 'token'),
          EncryptedKeyMaterial: decodeBase64Strict(wrapped.ciphertext, 'ciphertext'),
          ExpirationModel: 'KEY_MATERIAL_EXPIRES',
          ValidTo: new Date(bundle.materialExpiry!),
        }),
      );
    }
    const bareMs = performance.now() - bareStarted;
    client.destroy();

    return {
      name: 'sync-import',
      ratio: Number((engineMs / bareMs).toFixed(3)),
      goal: '<= 1.5',
      figures: {
        keys: KEYS,
        engineMs: Math.round(engineMs),
        bareSdkLoopMs: Math.round(bareMs),
        engineIncludes: 'finding and verifying the bundles, queueing, durable claims and outcomes, imports, proof, audit; the pull skips keys imported in the same sync',
        engineDefaults: 'concurrency 4, batch 32, loopback rate limit 2000/s',
        pullOnlyMs: Math.round(pullMs),
      },
    };
  } finally {
    await service.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}
