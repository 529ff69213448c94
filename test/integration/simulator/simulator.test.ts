import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, type KmsAdapter } from '../../../main/core/kms/index.ts';
import { startSimulator } from '../../../main/kms-sim/index.ts';
import { ByokError } from '../../../shared/errors.ts';
import { CREDENTIALS, readParameters, startTestSimulator, wrapDirect, type SimHandle } from './fixture.ts';
import { rejection } from '../../support/rejection.ts';

function adapters(url: string): Record<'aws' | 'tencent' | 'huawei', KmsAdapter> {
  const options = { timeoutMs: 1_000 };
  return {
    aws: createAdapter({ type: 'aws', region: 'us-east-1', endpoint: url }, { accessKeyId: CREDENTIALS.aws.accessKeyId, secret: CREDENTIALS.aws.secretAccessKey }, options),
    tencent: createAdapter({ type: 'tencent', region: 'ap-guangzhou', endpoint: url }, { accessKeyId: CREDENTIALS.tencent.secretId, secret: CREDENTIALS.tencent.secretKey }, options),
    huawei: createAdapter({ type: 'huawei', region: 'cn-north-4', projectId: CREDENTIALS.huawei.projectId, endpoint: url }, { accessKeyId: CREDENTIALS.huawei.ak, secret: CREDENTIALS.huawei.sk }, options),
  };
}

async function importAes(adapter: KmsAdapter, material: Uint8Array): Promise<string> {
  const { remoteKeyId } = await adapter.createExternalKey({ alias: 'restart', spec: 'AES_256' });
  const parameters = readParameters((await adapter.getImportParameters({ remoteKeyId, algorithm: 'RSAES_OAEP_SHA_256' })).text);
  await adapter.importMaterial({ remoteKeyId, importToken: parameters.importToken, importTokenText: parameters.importTokenText, wrapped: { layout: 'single', ciphertext: wrapDirect(parameters.publicKeyDer, 'oaep-sha256', material) }, materialExpiry: null });
  return remoteKeyId;
}

describe('the simulator process', () => {
  it('refuses to bind anything but loopback', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kms-sim-'));
    try {
      for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
        await expect(startSimulator({ port: 0, stateDir, credentials: CREDENTIALS, host })).rejects.toThrow(/loopback/);
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('keeps keys, the same-material rule and its clock across a restart', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kms-sim-'));
    const first = await startTestSimulator(stateDir);
    const material = randomBytes(32);
    const remoteKeyId = await importAes(adapters(first.sim.url).aws, material);
    await adapters(first.sim.url).aws.deleteImportedMaterial(remoteKeyId);
    await first.advanceHours(48);
    const before = first.sim.clock.now().getTime();
    await first.sim.close();
    const second = await startTestSimulator(stateDir);
    try {
      expect(second.sim.clock.now().getTime()).toBeGreaterThanOrEqual(before);
      const aws = adapters(second.sim.url).aws;
      expect((await aws.describeKey(remoteKeyId)).state).toBe('PendingImport');
      const parameters = readParameters((await aws.getImportParameters({ remoteKeyId, algorithm: 'RSAES_OAEP_SHA_256' })).text);
      const wrong = await rejection(
        aws.importMaterial({ remoteKeyId, importToken: parameters.importToken, importTokenText: parameters.importTokenText, wrapped: { layout: 'single', ciphertext: wrapDirect(parameters.publicKeyDer, 'oaep-sha256', randomBytes(32)) }, materialExpiry: null }),
      );
      expect(wrong.code).toBe('KMS_MATERIAL_MISMATCH');
      await aws.importMaterial({ remoteKeyId, importToken: parameters.importToken, importTokenText: parameters.importTokenText, wrapped: { layout: 'single', ciphertext: wrapDirect(parameters.publicKeyDer, 'oaep-sha256', material) }, materialExpiry: null });
      expect((await aws.describeKey(remoteKeyId)).state).toBe('Enabled');
      // The state file holds no material: only its digest.
      const stored = readdirSync(stateDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
        .join('\n');
      expect(stored).toContain(remoteKeyId.split('/').pop());
      expect(stored).not.toContain(material.toString('hex'));
      expect(stored).not.toContain(material.toString('base64'));
    } finally {
      await second.cleanup();
    }
  });

  it('runs as `node main/kms-sim/main.ts` and prints exactly one line when ready', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'kms-sim-'));
    const credentialsFile = join(stateDir, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify(CREDENTIALS));
    const child = spawn(process.execPath, ['main/kms-sim/main.ts', '--port', '0', '--state', join(stateDir, 'state'), '--credentials', credentialsFile, '--clock-speed', '60'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const lines = createInterface({ input: child.stdout });
      const line = await new Promise<string>((resolve) => lines.once('line', resolve));
      expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
      const url = line.slice('listening on '.length);
      const state = (await (await fetch(`${url}/__admin/state`)).json()) as Record<string, unknown>;
      expect(state.clockSpeed).toBe(60);
      expect((await adapters(url).huawei.listKeys()).length).toBe(0);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('the simulator admin surface and faults', () => {
  let handle: SimHandle;
  beforeAll(async () => {
    handle = await startTestSimulator();
  });
  afterAll(async () => handle.cleanup());

  it('summarises keys without material or wrapping private keys', async () => {
    const material = randomBytes(32);
    await importAes(adapters(handle.sim.url).tencent, material);
    const state = await handle.admin('/__admin/state');
    const text = JSON.stringify(state);
    expect((state.keys as unknown[]).length).toBe(1);
    expect(text).toContain('"state":"Enabled"');
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(material.toString('base64'));
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });

  it('advances its clock on request', async () => {
    const before = handle.sim.clock.now().getTime();
    const reply = await handle.admin('/__admin/clock', { advanceSeconds: 7200 });
    expect(Date.parse(reply.now as string) - before).toBeGreaterThanOrEqual(7_200_000);
  });

  const expected = {
    '5xx': 'KMS_TRANSIENT',
    throttle: 'KMS_THROTTLED',
    drop: 'KMS_TRANSIENT',
    timeout: 'KMS_TRANSIENT',
    malformed: 'KMS_PROTOCOL',
  } as const;

  for (const [kind, code] of Object.entries(expected)) {
    it(`turns a "${kind}" fault into ${code}, marked retryable, for every provider`, async () => {
      await handle.admin('/__admin/faults', { rate: 1, kinds: [kind], seed: 7 });
      try {
        for (const [provider, adapter] of Object.entries(adapters(handle.sim.url))) {
          const error = await rejection(adapter.listKeys());
          expect({ provider, code: error.code, retryable: error.details?.retryable }).toEqual({ provider, code, retryable: true });
        }
      } finally {
        await handle.admin('/__admin/faults', { rate: 0, kinds: [], seed: 1 });
      }
    });
  }

  it('draws faults from a seeded generator: the same seed fails the same requests', async () => {
    const outcomes = async (): Promise<string> => {
      await handle.admin('/__admin/faults', { rate: 0.5, kinds: ['5xx', 'throttle'], seed: 42 });
      let pattern = '';
      for (let i = 0; i < 12; i++) {
        pattern += await adapters(handle.sim.url).huawei.listKeys().then(
          () => '.',
          (error: ByokError) => (error.code === 'KMS_THROTTLED' ? 't' : 'x'),
        );
      }
      return pattern;
    };
    const first = await outcomes();
    const second = await outcomes();
    await handle.admin('/__admin/faults', { rate: 0, kinds: [], seed: 1 });
    expect(first).toBe(second);
    expect(first).toMatch(/\./);
    expect(first).toMatch(/[tx]/);
  });
});
