// sync-import: importing 500 keys through the sync engine (queued jobs, durable claims and outcomes in
// the vault journal, rate limit, retries, proof, audit) against the simulator, vs a bare loop of official
// AWS SDK ImportKeyMaterial calls, one at a time, doing the same imports into another 500 keys. A
// second loop with four calls in flight (the engine's concurrency) is reported beside it. Wrapping is done
// beforehand for both (same parameters source, same wrap). Ratio = engine time ÷ bare loop time.
// The simulator runs in its own process, as a KMS runs on another machine: in this process its
// synchronous fsyncs stalled both sides' event loops at random and made the rounds swing by ±30 %.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ImportKeyMaterialCommand, KMSClient } from '@aws-sdk/client-kms';
import { memoryKeychain } from '../main/core/backup/index.ts';
import { decodeBase64Strict, verifyBundle } from '../main/core/wrap/index.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createCeremonyService } from '../main/core/ceremony.ts';

const SIM_CREDENTIALS = { aws: { accessKeyId: 'AKIABENCHSIMULATOR01', secretAccessKey: 'bench-secret-0123456789abcdefghijklmnopq' } };

const KEYS = 500;
/**
 * Engine and baseline take turns, 100 keys each per round, so that load on the machine (shared with other
 * work) hits both alike; the reported ratio is the median of the rounds' ratios, the total ratio is kept
 * in the figures.
 */
const ROUNDS = 5;
/**
 * Keys per side in an untimed first round: the first imports of a process pay for compiling the SDK's
 * and the engine's code paths, and the engine (which goes first) would pay for both.
 */
const WARMUP_KEYS = 20;
/** The engine's default concurrency (sync-engine.ts), for the second, concurrent bare loop. */
const ENGINE_CONCURRENCY = 4;

export async function run(): Promise<{ name: 'sync-import'; ratio: number; goal: '<= 1.5'; figures: Record<string, number | string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-sync-import-'));
  const sim = await startSimulatorProcess(dir);
  const clock = { now: () => new Date() };
  const service = await createCeremonyService({ vaultDir: join(dir, 'vault'), create: true, clock, keychain: memoryKeychain() });
  const client = new KMSClient({ region: 'eu-west-1', endpoint: sim.url, credentials: { accessKeyId: SIM_CREDENTIALS.aws.accessKeyId, secretAccessKey: SIM_CREDENTIALS.aws.secretAccessKey } });
  try {
    const expiry = new Date(clock.now().getTime() + 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const addProvider = (name: string) => service.providerAdd({ name, type: 'aws', region: 'eu-west-1', endpoint: sim.url, accessKeyId: SIM_CREDENTIALS.aws.accessKeyId, secret: SIM_CREDENTIALS.aws.secretAccessKey });
    // Wrapping is done beforehand for both: keys, remote keys, parameters and bundles.
    const prepare = async (label: string, provider: string, count: number) => {
      const { keys } = await service.generateKeys({ spec: 'AES_256', alias: label, count });
      for (const key of keys) await service.remoteCreateKey({ provider, keyId: key.id });
      const request = join(dir, `${label}-request.json`);
      await service.remoteParams({ provider, keyIds: keys.map((key) => key.id), out: request });
      const { keys: wrapped } = await service.wrapAll({ paramsPath: request, outDir: join(dir, label), materialExpiry: expiry });
      const bundles = wrapped.map((reply) => reply.files.find((file) => file.name === 'bundle.json')!.path);
      return Promise.all(bundles.map(async (path) => ({ path, bytes: await readFile(path) })));
    };
    await addProvider('bare');
    let engineMs = 0;
    let bareMs = 0;
    let concurrentMs = 0;
    let pullMs = 0;
    const roundRatios: number[] = [];
    const concurrentRatios: number[] = [];
    /** Imports a prepared set with official SDK calls, `inFlight` at a time; returns the milliseconds. */
    const bareImports = async (set: Array<{ path: string; bytes: Buffer }>, inFlight: number): Promise<number> => {
      const started = performance.now();
      let next = 0;
      const importNext = async (): Promise<void> => {
        while (next < set.length) {
          const { path, bytes } = set[next++]!;
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
      };
      await Promise.all(Array.from({ length: inFlight }, importNext));
      return performance.now() - started;
    };
    const roundTimes: string[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const warmup = round === 0;
      const perRound = warmup ? WARMUP_KEYS : KEYS / ROUNDS;
      // Ours: `sync` finds the wrapped bundles, queues their imports, pushes them through the engine
      // (durable claims and outcomes, proof, audit) and settles the state of every key it pushed.
      const provider = `aws-${round}`;
      await addProvider(provider);
      await prepare(`engine-${round}`, provider, perRound);
      const engineStarted = performance.now();
      const reply = await service.sync({ provider });
      const engineRoundMs = performance.now() - engineStarted;
      if (reply.imported.length !== perRound) throw new Error(`the engine imported ${reply.imported.length} of ${perRound} keys`);
      const pullStarted = performance.now();
      await service.sync({ provider });
      if (!warmup) {
        engineMs += engineRoundMs;
        pullMs += performance.now() - pullStarted;
      }

      // Baseline: a bare loop of official SDK calls importing the same kind of bundles, one call at a
      // time (the baseline). A second loop keeps four calls in flight like the engine: reported
      // beside it, as the engine's own overhead that its concurrency otherwise hides.
      const bareRoundMs = await bareImports(await prepare(`bare-${round}`, 'bare', perRound), 1);
      const concurrentRoundMs = await bareImports(await prepare(`bare4-${round}`, 'bare', perRound), ENGINE_CONCURRENCY);
      if (warmup) continue;
      bareMs += bareRoundMs;
      concurrentMs += concurrentRoundMs;
      roundRatios.push(engineRoundMs / bareRoundMs);
      concurrentRatios.push(engineRoundMs / concurrentRoundMs);
      roundTimes.push(`${Math.round(engineRoundMs)}/${Math.round(bareRoundMs)}/${Math.round(concurrentRoundMs)}`);
    }
    const median = medianOf(roundRatios);

    return {
      name: 'sync-import',
      ratio: Number(median.toFixed(3)),
      goal: '<= 1.5',
      figures: {
        keys: KEYS,
        rounds: ROUNDS,
        warmupKeysPerSide: WARMUP_KEYS,
        totalRatio: Number((engineMs / bareMs).toFixed(3)),
        roundRatios: roundRatios.map((value) => value.toFixed(2)).join(' '),
        roundEngineBareConcurrentMs: roundTimes.join(' '),
        engineMs: Math.round(engineMs),
        bareSdkLoopMs: Math.round(bareMs),
        engineIncludes: 'finding and verifying the bundles, queueing, durable claims and outcomes, imports, proof, audit; the pull skips keys imported in the same sync',
        engineDefaults: 'concurrency 4, batch 64, 2 quick retries, loopback rate limit 2000/s',
        concurrentBareLoopMs: Math.round(concurrentMs),
        ratioVsConcurrentLoop: Number(medianOf(concurrentRatios).toFixed(3)),
        concurrentLoopRatios: concurrentRatios.map((value) => value.toFixed(2)).join(' '),
        pullOfPushedKeysMs: Math.round(pullMs),
      },
    };
  } finally {
    client.destroy();
    await service.close();
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The simulator in a process of its own, as a KMS is on another machine: its durable state writes
 * (synchronous fsyncs) then block neither side's event loop, only delay its own answers to both.
 */
async function startSimulatorProcess(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const credentialsPath = join(dir, 'sim-credentials.json');
  await writeFile(credentialsPath, JSON.stringify(SIM_CREDENTIALS));
  const child: ChildProcess = spawn(process.execPath, [join(import.meta.dirname, '..', 'main', 'kms-sim', 'main.ts'), '--port', '0', '--state', join(dir, 'sim'), '--credentials', credentialsPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before listening`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
