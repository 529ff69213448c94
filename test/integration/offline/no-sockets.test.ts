// The offline guarantee: a whole offline ceremony — generate, wrap, verify the keychain backups, verify
// and export the audit log, and even the connected operations that need no provider (provider list,
// sync with none connected, the job list) — opens no network connection. Every TCP/TLS connect made
// by this process is intercepted (net.Socket.prototype.connect, which net.connect, http and https all
// go through, and tls.connect) and recorded; the test asserts the record is empty.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCeremonyService } from '../../../main/core/ceremony.ts';

const attempts: string[] = [];
const originalConnect = net.Socket.prototype.connect;
const originalTlsConnect = tls.connect;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-offline-'));
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    attempts.push(`net: ${JSON.stringify(args[0])}`);
    return originalConnect.apply(this, args as Parameters<typeof originalConnect>);
  } as typeof originalConnect;
  (tls as { connect: typeof tls.connect }).connect = ((...args: unknown[]) => {
    attempts.push(`tls: ${JSON.stringify(args[0])}`);
    return (originalTlsConnect as (...a: unknown[]) => tls.TLSSocket)(...args);
  }) as typeof tls.connect;
});

afterAll(async () => {
  net.Socket.prototype.connect = originalConnect;
  (tls as { connect: typeof tls.connect }).connect = originalTlsConnect;
  await rm(dir, { recursive: true, force: true });
});

it('the interception sees a connection attempt (so an empty record means something)', async () => {
  const before = attempts.length;
  const socket = net.connect({ host: '127.0.0.1', port: 9 });
  await new Promise<void>((resolve) => {
    socket.once('error', () => resolve());
    socket.once('connect', () => resolve());
  });
  socket.destroy();
  expect(attempts.length).toBe(before + 1);
  attempts.length = 0;
});

it('opens no socket during a whole offline ceremony through the real core', async () => {
  const clock = { now: () => new Date() };
  const vaultDir = join(dir, 'vault');
  // The real service with the OS keychain (a throwaway namespace so the developer's own is untouched).
  const service = await createCeremonyService({ vaultDir, create: true, clock, keychainService: `byok-offline-test/${randomBytes(6).toString('hex')}` });
  try {
    const { keys } = await service.generateKeys({ spec: 'AES_256', alias: 'offline', count: 2 });
    const [ec] = (await service.generateKeys({ spec: 'EC_P256', alias: 'offline-ec' })).keys;

    // Import parameters as the AWS console saves them, with a wrapping key made here.
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const [index, key] of [...keys, ec!].entries()) {
      // One remote key per local key, as AWS hands out parameters.
      const params = join(dir, `params-${index}.json`);
      await writeFile(
        params,
        JSON.stringify({
          KeyId: `arn:aws:kms:eu-west-1:111122223333:key/0b0e0d0c-1111-2222-3333-44445555666${index}`,
          ImportToken: randomBytes(256).toString('base64'),
          PublicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
          ParametersValidTo: Math.floor(Date.now() / 1000) + 86_400,
        }),
      );
      const outDir = join(dir, 'out', key.id);
      await mkdir(outDir, { recursive: true });
      await service.wrap({ keyId: key.id, paramsPath: params, outDir, algorithm: 'RSA_AES_KEY_WRAP_SHA_256' });
    }
    expect(await service.backupVerify({})).toEqual({ verified: 3, failed: [] });
    expect((await service.auditVerify()).valid).toBe(true);
    await service.auditExport({ format: 'md', out: join(dir, 'transcript.md') });
    await service.vaultInfo();

    expect(await service.providerList()).toEqual({ providers: [] });
    const sync = await service.sync({});
    expect(sync).toMatchObject({ imported: [], pendingJobs: 0, failedJobs: [] });
    expect(await service.syncJobs()).toEqual({ jobs: [] });
  } finally {
    await service.close();
  }
  expect(attempts).toEqual([]);
});
