// Kill `byok sync` (the real CLI, real files, the OS keychain) 20 times with SIGKILL at seeded moments,
// with the simulator failing 20% of requests, then let it finish: every key imported exactly once
// (counted by a proxy outside the client), none lost, every job done. A killed CLI gets no chance to
// clean up; the next one recovers the vault lock and the queue.
//
// "Exactly once", precisely: one job and one material per key, never refused. An import the KMS carried
// out but whose outcome the vault never recorded (its reply lost, or the CLI killed before the save) is
// retried, and AWS takes the same material into an Enabled key, so the retry presents it again as the
// proof that the key holds this material: those repeats carry the identical wrapped bytes, and happen
// only on a retry the vault recorded (each claim is saved before the KMS is asked; a claim tries at most
// 1 + 2 quick retries), so a key never sees more imports than its job's claims allow.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isoUtc, systemClock } from '../../../main/core/clock.ts';
import { startCountingProxy, type CountingProxy } from './sync-counting-proxy.ts';
import { PROVIDER_LOGINS, openService, startWorld, type SimWorld } from './sync-support.ts';

const KEYS = 200;
const KILLS = 20;
const CLI = join(import.meta.dirname, '../../../main/cli/main.ts');
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

/** mulberry32, seeded: the kill moments are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runCli(vaultDir: string, killAfterMs: number | null): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--vault', vaultDir, '--json', 'sync'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = killAfterMs === null ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

it('converges with every key imported exactly once after 20 SIGKILLs mid-sync', { timeout: 240_000 }, async () => {
  const vaultDir = join(world.dir, 'killed');
  // The OS keychain under the vault's own namespace, as the CLI will open it.
  const setup = await openService(vaultDir, systemClock);
  const remoteIds: string[] = [];
  try {
    await setup.providerAdd({ name: 'aws', type: 'aws', region: 'eu-west-1', endpoint: proxy.url, ...PROVIDER_LOGINS.aws });
    const { keys } = await setup.generateKeys({ spec: 'AES_256', alias: 'killed', count: KEYS });
    for (const key of keys) remoteIds.push((await setup.remoteCreateKey({ provider: 'aws', keyId: key.id })).remoteKeyId);
    const request = join(world.dir, 'killed-request.json');
    await setup.remoteParams({ provider: 'aws', keyIds: keys.map((key) => key.id), out: request });
    const expiry = isoUtc(new Date(Date.now() + 90 * 86_400_000));
    await setup.wrapAll({ paramsPath: request, outDir: join(world.dir, 'killed-out'), materialExpiry: expiry });
  } finally {
    await setup.close();
  }

  await world.faults({ rate: 0.2, kinds: ['5xx', 'timeout', 'throttle', 'malformed', 'drop'], seed: 7 });
  const random = seeded(20261125);
  let killed = 0;
  let killedWithWorkLeft = 0;
  for (let i = 0; i < KILLS; i++) {
    // From spawn: the CLI needs several hundred milliseconds to start, then pushes for a second or two.
    const result = await runCli(vaultDir, 600 + Math.floor(random() * 1400));
    if (result.signal === 'SIGKILL') killed++;
    else expect([0, 6], result.output).toContain(result.code);
    if (result.signal === 'SIGKILL' && proxy.imports.size < KEYS) killedWithWorkLeft++;
  }
  expect(killed).toBeGreaterThanOrEqual(KILLS / 2);
  expect(killedWithWorkLeft).toBeGreaterThan(0);
  let final: { code: number | null; output: string } | undefined;
  for (let round = 0; round < 5; round++) {
    final = await runCli(vaultDir, null);
    const reply = JSON.parse(final.output.slice(0, final.output.lastIndexOf('}') + 1)) as { pendingJobs: number; failedJobs: unknown[] };
    if (reply.pendingJobs === 0 && reply.failedJobs.length === 0) break;
  }
  expect(final!.code, final!.output).toBe(0);
  await world.faults({ rate: 0 });

  const check = await openService(vaultDir, systemClock);
  const claims = new Map<string, number>();
  try {
    const jobs = (await check.syncJobs()).jobs.filter((job) => job.kind === 'import');
    expect(jobs).toHaveLength(KEYS);
    expect(jobs.filter((job) => job.status !== 'done')).toEqual([]);
    const listed = (await check.listKeys()).keys;
    expect(listed.every((key) => key.remote[0]?.state === 'Enabled')).toBe(true);
    for (const job of jobs) claims.set(listed.find((key) => key.id === job.keyId)!.remote[0]!.remoteKeyId.split('/').pop()!, job.attempts);
  } finally {
    await check.close();
  }
  const state = await world.state();
  let represented = 0;
  for (const remoteKeyId of remoteIds) {
    const bare = remoteKeyId.split('/').pop()!;
    expect(state.keys.find((entry) => entry.keyId === bare)).toMatchObject({ state: 'Enabled' });
    const log = proxy.importLog.get(bare) ?? [];
    expect(log.length, `imports of ${bare}`).toBeGreaterThanOrEqual(1);
    expect(new Set(log.map((entry) => entry.material)).size, `one material for ${bare}`).toBe(1);
    expect(log.filter((entry) => entry.reply === 'refused'), `refusals for ${bare}`).toEqual([]);
    expect(log.length, `imports of ${bare} within its job's ${claims.get(bare)} claims`).toBeLessThanOrEqual(3 * claims.get(bare)!);
    if (log.length > 1) represented++;
  }
  // The kills and faults did interrupt imports after execution: the proof by re-import was exercised.
  expect(represented).toBeGreaterThan(0);
});
