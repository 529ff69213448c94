// bulk-ceremony: 1,000 AES-256 keys — generate (OS entropy + SP 800-90B health tests), KCV, keychain
// backup with read-back, RSA-OAEP-SHA-256 wrap, saved — through the product's own service, against
// (a) the bare in-process minimum for the same work: randomBytes, publicEncrypt, one keychain write and
//     one read of the whole batch;
// (b) the documented manual procedure with a backup: per key `openssl rand`, `openssl pkeyutl`,
//     `secret-tool store`, `secret-tool lookup`.
// All three in one run, against the same (throwaway) Secret Service; ours and the minimum in interleaved
// rounds, each side's median reported. Output files are not written on any side (the baselines write
// none): ours is timed up to every key saved, backed up and wrapped in memory.
import { execFileSync, spawnSync } from 'node:child_process';
import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { osKeychain } from '../main/core/backup/index.ts';
import { openCoreContext } from '../main/core/ceremony.ts';
import { generateKeys } from '../main/core/use-cases/generate-keys.ts';
import { prepareNewKeysWrap } from '../main/core/use-cases/generate-and-wrap.ts';
import type { BenchResult } from './run.ts';

const KEYS = Number(process.env.BENCH_BULK_KEYS ?? 1000);
/** The manual procedure spawns 4 processes per key; BENCH_MANUAL_KEYS samples it (scaled linearly, which favours the baseline). */
const MANUAL_KEYS = Number(process.env.BENCH_MANUAL_KEYS ?? KEYS);
/** Rounds of ours and of the minimum, interleaved; each side's median is reported. */
const ROUNDS = Number(process.env.BENCH_BULK_ROUNDS ?? 5);

/**
 * The wrap target: a GCP import job with the plain RSA-OAEP-SHA-256 method. Parameters of AWS, Tencent
 * or Huawei name one remote key, which takes one material forever, so they cannot serve 1,000 new keys
 * (the product refuses that); an import job can. Its method needs a 3,072-bit wrapping key, which both
 * sides (and the manual procedure) use.
 */
function gcpImportJob(publicKey: KeyObject): string {
  return JSON.stringify({
    name: 'projects/bench/locations/global/keyRings/bench/importJobs/bulk',
    importMethod: 'RSA_OAEP_3072_SHA256',
    protectionLevel: 'HSM',
    state: 'ACTIVE',
    expireTime: new Date(Date.now() + 6 * 3600_000).toISOString(),
    publicKey: { pem: publicKey.export({ format: 'pem', type: 'spki' }).toString() },
  });
}

async function ours(work: string, publicKey: KeyObject): Promise<number> {
  const context = await openCoreContext({ vaultDir: join(work, 'vault'), create: true });
  await context.signer(); // creates the vault's ceremony key: set-up, not part of the ceremony
  const paramsPath = join(work, 'params.json');
  writeFileSync(paramsPath, gcpImportJob(publicKey));
  const request = { spec: 'AES_256' as const, alias: 'bulk', count: KEYS, wrap: { paramsPath, algorithm: 'RSAES_OAEP_SHA_256' as const, outDir: join(work, 'out') } };
  const started = performance.now();
  // What `byok keys generate --count N --wrap-params FILE --out DIR` runs before it writes the output
  // files: every wrap check, then generate → keychain batch written, read back and checked → each key
  // wrapped from the copy the backup was written from → records and audit events saved durably.
  const plan = await prepareNewKeysWrap(context, request);
  const { wrap: _wrap, ...generateRequest } = request;
  const { keys, wrappedMaterial } = await generateKeys(context, generateRequest, { wrapFor: plan.target });
  const ms = performance.now() - started;
  if (keys.length !== KEYS || wrappedMaterial?.size !== KEYS) throw new Error(`wrapped ${wrappedMaterial?.size} of ${KEYS}`);
  // Like the minimum, leave the keychain as it was: gnome-keyring rewrites its whole file on every write,
  // so items left behind would make every later round (of either side) slower.
  for (const batchId of new Set(context.vault.keys.list({ search: 'bulk' }).map((key) => key.batchId!))) await context.backups.deleteBatch(batchId);
  await context.audit.close();
  await context.vault.close();
  return ms;
}

async function minimum(publicDer: Buffer): Promise<number> {
  const keychain = osKeychain(`byok-bench-minimum-${randomUUID()}`);
  const wrappingKey = createPublicKey({ key: publicDer, format: 'der', type: 'spki' });
  const started = performance.now();
  const batch = new Uint8Array(KEYS * 32);
  for (let index = 0; index < KEYS; index++) {
    const key = randomBytes(32);
    batch.set(key, index * 32);
    publicEncrypt({ key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, key);
  }
  await keychain.set('batch', batch);
  const readBack = await keychain.get('batch');
  if (!readBack || readBack.length !== batch.length) throw new Error('minimum: keychain read-back failed');
  const ms = performance.now() - started;
  await keychain.delete('batch');
  return ms;
}

function manual(work: string, publicDerPath: string): number {
  const service = `byok-bench-manual-${randomUUID()}`;
  const started = performance.now();
  for (let index = 0; index < MANUAL_KEYS; index++) {
    const keyFile = join(work, `k${index}.bin`);
    execFileSync('openssl', ['rand', '-out', keyFile, '32']);
    execFileSync('openssl', ['pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', publicDerPath, '-in', keyFile, '-out', `${keyFile}.wrapped`, '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256']);
    // secret-tool stores text: the documented scripts base64 the key first.
    const encoded = execFileSync('base64', ['-w0', keyFile], { encoding: 'utf8' });
    spawnSync('secret-tool', ['store', '--label', `bench key ${index}`, 'service', service, 'key', String(index)], { input: encoded });
    const found = execFileSync('secret-tool', ['lookup', 'service', service, 'key', String(index)], { encoding: 'utf8' }).trim();
    if (found !== encoded) throw new Error(`manual: lookup of key ${index} did not match`);
  }
  const ms = performance.now() - started;
  spawnSync('secret-tool', ['clear', 'service', service]);
  return ms * (KEYS / MANUAL_KEYS);
}

export async function run(): Promise<BenchResult[]> {
  const work = mkdtempSync(join(tmpdir(), 'byok-bench-bulk-'));
  try {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const publicDer = publicKey.export({ format: 'der', type: 'spki' });
    const publicDerPath = join(work, 'wrapping-public.der');
    writeFileSync(publicDerPath, publicDer);
    // Interleaved rounds, the median of each side: a single cold round mostly measures how much code
    // the JIT has not compiled yet, which favours the baseline's few native calls.
    const minimumRuns: number[] = [];
    const oursRuns: number[] = [];
    for (let index = 0; index < ROUNDS; index++) {
      minimumRuns.push(await minimum(publicDer));
      oursRuns.push(await ours(join(work, `round-${index}`), publicKey));
    }
    const minimumMs = median(minimumRuns);
    const oursMs = median(oursRuns);
    const manualMs = manual(work, publicDerPath);
    const figures = {
      keys: KEYS,
      rounds: ROUNDS,
      oursMs: round(oursMs),
      minimumMs: round(minimumMs),
      oursRoundsMs: oursRuns.map(round).join(' '),
      minimumRoundsMs: minimumRuns.map(round).join(' '),
      manualMs: round(manualMs),
      manualKeysMeasured: MANUAL_KEYS,
      oursPerKeyMs: round(oursMs / KEYS),
      manualPerKeyMs: round(manualMs / KEYS),
    };
    return [
      { name: 'bulk-ceremony-vs-minimum', ratio: oursMs / minimumMs, goal: '<= 1.5', figures },
      { name: 'bulk-ceremony-vs-manual', ratio: oursMs / manualMs, goal: '<= 0.033', figures },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
