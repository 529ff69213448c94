// Recovery from interruptions that leave the KMS ahead of the vault, against the loopback simulator
// through a proxy that loses replies or refuses requests per operation:
// - a renewal whose import could not run before its parameters stopped being valid (a crash between
//   the parameter fetch and the import, then a sync a day later; or newer parameters fetched meanwhile)
//   is started again with fresh parameters by the next sync, instead of never again;
// - `remote create-key` whose reply was lost (the KMS created the key) finds that key by its alias on
//   the rerun and binds it, instead of creating a second billed key.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isoUtc } from '../../../main/core/clock.ts';
import { createHuaweiAdapter } from '../../../main/core/kms/huawei/huawei-adapter.ts';
import { startInterceptingProxy, type InterceptingProxy } from './intercepting-proxy.ts';
import { PROVIDER_LOGINS, startWorld, type CoreService, type SimWorld } from './sync-support.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const REGIONS = { aws: 'eu-west-1', tencent: 'ap-guangzhou', huawei: 'cn-north-4' } as const;
const IMPORT_OPERATION = { aws: 'ImportKeyMaterial', tencent: 'ImportKeyMaterial', huawei: 'import-key-material' } as const;
const CREATE_OPERATION = { aws: 'CreateKey', tencent: 'CreateKey', huawei: 'create-key' } as const;

let world: SimWorld;
let proxy: InterceptingProxy;

beforeAll(async () => {
  world = await startWorld();
  proxy = await startInterceptingProxy(world.sim.url);
});
afterAll(async () => {
  await proxy?.close();
  await world?.close();
});
afterEach(() => {
  for (const operation of [...Object.values(IMPORT_OPERATION), ...Object.values(CREATE_OPERATION)]) proxy.intercept(operation, null);
});

async function connect(service: CoreService, type: keyof typeof REGIONS): Promise<void> {
  const login = PROVIDER_LOGINS[type];
  await service.providerAdd({ name: type, type, region: REGIONS[type], endpoint: proxy.url, accessKeyId: login.accessKeyId, secret: login.secret, ...('projectId' in login ? { projectId: login.projectId } : {}) });
}

async function importWithExpiry(service: CoreService, type: 'aws' | 'tencent', keyId: string, name: string, materialExpiry: string): Promise<void> {
  const request = join(world.dir, `${name}-request.json`);
  await service.remoteParams({ provider: type, keyIds: [keyId], out: request });
  const outDir = join(world.dir, `${name}-out`);
  await mkdir(outDir, { recursive: true });
  const wrapped = await service.wrap({ keyId, paramsPath: request, outDir, materialExpiry });
  await service.importBundle({ path: wrapped.files.find((file) => file.name === 'bundle.json')!.path });
}

async function simKey(remoteKeyId: string): Promise<Record<string, unknown>> {
  return (await world.state()).keys.find((entry) => remoteKeyId.split('/').pop() === entry.keyId)!;
}

describe('automatic renewal after a renewal import that could not run in time', () => {
  const cases = [
    { type: 'aws' as const, how: 'its parameters expired (a crash between fetch and import, next sync a day later)' },
    { type: 'tencent' as const, how: 'newer parameters replaced its token (`remote params` in between)' },
  ];
  for (const { type, how } of cases) {
    it(`${type}: starts a new renewal with fresh parameters when the renewal's import was refused because ${how}`, async () => {
      const service = await world.open(`renew-after-refusal-${type}`);
      await connect(service, type);
      const [key] = (await service.generateKeys({ spec: 'AES_256', alias: `renew-${type}` })).keys;
      const { remoteKeyId } = await service.remoteCreateKey({ provider: type, keyId: key!.id });
      const firstExpiry = isoUtc(new Date(world.clock.now().getTime() + 3 * DAY_MS));
      await importWithExpiry(service, type, key!.id, `renew-${type}`, firstExpiry);

      // An hour later (so the renewal asks for another expiry than the one the key shows), the renewal
      // fetches parameters and wraps (fetch-params done, import queued) but its import does not get
      // through: the state a process killed between the two leaves behind.
      world.sim.clock.advance(HOUR_MS);
      proxy.intercept(IMPORT_OPERATION[type], 'refuse-credentials');
      const stalled = await service.sync({});
      expect(stalled.expiring).toEqual([{ id: key!.id, materialExpiry: firstExpiry }]);
      expect(stalled.renewed).toEqual([]);
      const queued = (await service.syncJobs()).jobs.filter((job) => job.kind === 'import' && job.status === 'pending');
      expect(queued).toHaveLength(1);
      proxy.intercept(IMPORT_OPERATION[type], null);

      if (type === 'aws') world.sim.clock.advance(25 * HOUR_MS);
      else await service.remoteParams({ provider: type, keyIds: [key!.id], out: join(world.dir, `renew-${type}-newer-request.json`) });

      const recovered = await service.sync({});
      // The stale import is refused for good and reported; the renewal starts again and goes through.
      expect(recovered.failedJobs).toContainEqual({ id: queued[0]!.id, reason: expect.stringMatching(/^KMS_TOKEN_EXPIRED/) });
      expect(recovered.renewed).toEqual([key!.id]);
      const renewedExpiry = (await service.listKeys()).keys.find((entry) => entry.id === key!.id)!.remote[0]!.materialExpiry!;
      expect(Date.parse(renewedExpiry)).toBeGreaterThan(Date.parse(firstExpiry));
      expect(await simKey(remoteKeyId)).toMatchObject({ state: 'Enabled', validTo: renewedExpiry.replace('Z', '.000Z') });

      // Renewed (for three days again): a sync that renews a day ahead has nothing to do.
      const quiet = await service.sync({ renewalWindowDays: 1 });
      expect(quiet).toMatchObject({ renewed: [], expired: [], failedJobs: [] });
    });
  }
});

describe('remote create-key interrupted after the KMS created the key', () => {
  for (const type of ['aws', 'tencent', 'huawei'] as const) {
    it(`${type}: the rerun finds the key by its alias and binds it; no second key is created`, async () => {
      const service = await world.open(`create-lost-${type}`);
      await connect(service, type);
      const [key] = (await service.generateKeys({ spec: 'AES_256', alias: `create-${type}` })).keys;
      const alias = `byok-${key!.id}`;
      const withAlias = async () => (await world.state()).keys.filter((entry) => entry.alias === alias);

      proxy.intercept(CREATE_OPERATION[type], 'lose-reply');
      await expect(service.remoteCreateKey({ provider: type, keyId: key!.id })).rejects.toMatchObject({
        code: 'KMS_TRANSIENT',
        message: expect.stringContaining('run `byok remote create-key --provider'),
      });
      expect(await withAlias()).toHaveLength(1); // created at the KMS, not recorded here
      expect((await service.listKeys()).keys.find((entry) => entry.id === key!.id)!.remote).toEqual([]);
      proxy.intercept(CREATE_OPERATION[type], null);

      const before = proxy.executed.get(CREATE_OPERATION[type]) ?? 0;
      const rerun = await service.remoteCreateKey({ provider: type, keyId: key!.id });
      expect(proxy.executed.get(CREATE_OPERATION[type]) ?? 0).toBe(before);
      const found = await withAlias();
      expect(found).toHaveLength(1);
      expect(rerun.remoteKeyId.split('/').pop()).toBe(found[0]!.keyId);
      expect((await service.listKeys()).keys.find((entry) => entry.id === key!.id)!.remote[0]).toMatchObject({ remoteKeyId: rerun.remoteKeyId, state: 'PendingImport' });
      await expect(service.remoteCreateKey({ provider: type, keyId: key!.id })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    });
  }

  it('creates the key on the rerun when the interrupted request never reached the KMS', async () => {
    const service = await world.open('create-turned-away');
    await connect(service, 'tencent');
    const [key] = (await service.generateKeys({ spec: 'AES_256', alias: 'create-turned-away' })).keys;
    proxy.intercept('CreateKey', 'turn-away');
    await expect(service.remoteCreateKey({ provider: 'tencent', keyId: key!.id })).rejects.toMatchObject({ code: 'KMS_TRANSIENT' });
    proxy.intercept('CreateKey', null);
    const rerun = await service.remoteCreateKey({ provider: 'tencent', keyId: key!.id });
    const found = (await world.state()).keys.filter((entry) => entry.alias === `byok-${key!.id}`);
    expect(found.map((entry) => entry.keyId)).toEqual([rerun.remoteKeyId]);
  });

  it('refuses to take over or create when several keys carry the alias, and says what to check', async () => {
    const service = await world.open('create-ambiguous');
    await connect(service, 'huawei');
    const [key] = (await service.generateKeys({ spec: 'AES_256', alias: 'create-ambiguous' })).keys;
    const alias = `byok-${key!.id}`;
    proxy.intercept('create-key', 'lose-reply');
    await expect(service.remoteCreateKey({ provider: 'huawei', keyId: key!.id })).rejects.toMatchObject({ code: 'KMS_TRANSIENT' });
    proxy.intercept('create-key', null);
    // Meanwhile someone made another key with the same alias in the console.
    const login = PROVIDER_LOGINS.huawei;
    const direct = createHuaweiAdapter({ type: 'huawei', region: REGIONS.huawei, projectId: login.projectId, endpoint: world.sim.url }, { accessKeyId: login.accessKeyId, secret: login.secret });
    await direct.createExternalKey({ alias, spec: 'AES_256' });
    const before = (await world.state()).keys.filter((entry) => entry.alias === alias);
    expect(before).toHaveLength(2);

    await expect(service.remoteCreateKey({ provider: 'huawei', keyId: key!.id })).rejects.toMatchObject({
      code: 'KMS_INVALID_STATE',
      message: expect.stringMatching(new RegExp(`Several keys carry the alias ${alias} .*${String(before[0]!.keyId)}.*scheduled for deletion.*--forget-interrupted-create`)),
    });
    expect((await world.state()).keys.filter((entry) => entry.alias === alias)).toHaveLength(2);
    expect((await service.listKeys()).keys.find((entry) => entry.id === key!.id)!.remote).toEqual([]);

    // The operator checked the console: the interruption is forgotten on the record and a key is made.
    const created = await service.remoteCreateKey({ provider: 'huawei', keyId: key!.id, forgetInterruptedCreate: true } as Parameters<typeof service.remoteCreateKey>[0]);
    expect((await world.state()).keys.filter((entry) => entry.alias === alias)).toHaveLength(3);
    expect((await service.listKeys()).keys.find((entry) => entry.id === key!.id)!.remote[0]!.remoteKeyId).toBe(created.remoteKeyId);
    expect((await service.auditList({})).events.some((event) => event.summary.includes('action=interrupted-create-forgotten'))).toBe(true);
  });

  it('never takes over a key already bound in this vault (the same account under another connection name)', async () => {
    const service = await world.open('create-bound-elsewhere');
    await connect(service, 'huawei');
    const login = PROVIDER_LOGINS.huawei;
    await service.providerAdd({ name: 'huawei-again', type: 'huawei', region: REGIONS.huawei, endpoint: proxy.url, accessKeyId: login.accessKeyId, secret: login.secret, projectId: login.projectId });
    const [key] = (await service.generateKeys({ spec: 'AES_256', alias: 'create-bound-elsewhere' })).keys;
    const first = await service.remoteCreateKey({ provider: 'huawei', keyId: key!.id });
    // Under the second name the request never reaches the KMS; the rerun finds only the key bound under the first.
    proxy.intercept('create-key', 'turn-away');
    await expect(service.remoteCreateKey({ provider: 'huawei-again', keyId: key!.id })).rejects.toBeDefined();
    proxy.intercept('create-key', null);
    const second = await service.remoteCreateKey({ provider: 'huawei-again', keyId: key!.id });
    expect(second.remoteKeyId).not.toBe(first.remoteKeyId);
  });

  for (const [type, describe] of [['aws', 'DescribeKey'], ['tencent', 'DescribeKey']] as const) {
    it(`${type}: keys this connection may not describe do not fail the search, nor are taken for "none there"`, async () => {
      const service = await world.open(`create-unreadable-${type}`);
      await connect(service, type);
      const [key] = (await service.generateKeys({ spec: 'AES_256', alias: `create-unreadable-${type}` })).keys;
      proxy.intercept(CREATE_OPERATION[type], 'lose-reply');
      await expect(service.remoteCreateKey({ provider: type, keyId: key!.id })).rejects.toMatchObject({ code: 'KMS_TRANSIENT' });
      proxy.intercept(CREATE_OPERATION[type], null);
      // Every key's DescribeKey is denied now (a key policy): the one looked for may be among them.
      proxy.intercept(describe, 'refuse-credentials');
      try {
        await expect(service.remoteCreateKey({ provider: type, keyId: key!.id })).rejects.toMatchObject({ code: 'KMS_INVALID_STATE', message: expect.stringMatching(/could not be described by this connection/) });
      } finally {
        proxy.intercept(describe, null);
      }
      // Readable again: the search finds the key the lost reply made, and binds it.
      const rerun = await service.remoteCreateKey({ provider: type, keyId: key!.id });
      expect((await service.listKeys()).keys.find((entry) => entry.id === key!.id)!.remote[0]!.remoteKeyId).toBe(rerun.remoteKeyId);
      expect((await world.state()).keys.filter((entry) => entry.alias === `byok-${key!.id}`)).toHaveLength(1);
    });
  }

  it('does not take over a key of another spec after an interrupted create asked for a different one', async () => {
    const service = await world.open('create-spec');
    await connect(service, 'huawei');
    const keyId = 'aabbccdd-1111-4222-8333-444455556666';
    proxy.intercept('create-key', 'lose-reply');
    await expect(service.remoteCreateKey({ provider: 'huawei', keyId, spec: 'AES_256', check: 'A1B2C3' } as Parameters<typeof service.remoteCreateKey>[0])).rejects.toMatchObject({ code: 'KMS_TRANSIENT' });
    proxy.intercept('create-key', null);
    // Rerun with the spec corrected: the key the first run made is AES_256, not EC_P256.
    await expect(service.remoteCreateKey({ provider: 'huawei', keyId, spec: 'EC_P256', check: 'ab'.repeat(32) } as Parameters<typeof service.remoteCreateKey>[0])).rejects.toMatchObject({
      code: 'KMS_INVALID_STATE',
      message: expect.stringMatching(/asked for a AES_256 key; this run asks for EC_P256/),
    });
    expect((await service.listKeys()).keys.find((entry) => entry.id === keyId)).toBeUndefined();
  });
});
