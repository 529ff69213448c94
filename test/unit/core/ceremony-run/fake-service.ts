// An in-memory CeremonyService for the runner's unit tests: records every call, writes small files
// where the real core would, and can be told to fail once at a given call (a crash stand-in).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CeremonyService, CeremonyStepRecord, GenerateKeysReply, KeyCheckValue, OfflineCheckReply } from '../../../../shared/ceremony-api.ts';
import { ByokError } from '../../../../shared/errors.ts';
import { KEY_SPECS } from '../../../../shared/key-specs.ts';

export interface FakeService extends CeremonyService {
  calls: string[];
  steps: CeremonyStepRecord[];
  generated: Array<{ id: string; alias: string; check: KeyCheckValue }>;
  offline: OfflineCheckReply;
  /** Throw (a crash stand-in) at the nth call of this method (1-based), once. */
  failAt: { method: string; call: number } | null;
  failedBackups: Set<string>;
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

async function writeNew(path: string, content: string): Promise<{ name: string; path: string; sha256: string }> {
  if (await stat(path).then(() => true, () => false)) throw new ByokError('OUTPUT_EXISTS', `${path} exists`);
  await writeFile(path, content, { flag: 'wx' });
  return { name: path.split('/').at(-1)!, path, sha256: sha256(content) };
}

export function fakeService(): FakeService {
  const counts = new Map<string, number>();
  const service = {
    calls: [] as string[],
    steps: [] as CeremonyStepRecord[],
    generated: [] as FakeService['generated'],
    offline: { offline: false, interfaces: [{ name: 'eth0', addresses: ['192.0.2.10'] }], defaultRoute: true, checkedAt: '2026-12-01T09:00:00Z' },
    failAt: null as FakeService['failAt'],
    failedBackups: new Set<string>(),
  } as FakeService;
  const track = (method: string) => {
    const count = (counts.get(method) ?? 0) + 1;
    counts.set(method, count);
    service.calls.push(method);
    if (service.failAt?.method === method && service.failAt.call === count) {
      service.failAt = null;
      throw new Error(`simulated crash in ${method}`);
    }
  };
  Object.assign(service, {
    vaultInfo: async () => ({ vaultId: 'vault-1', dir: '/fake', keys: service.generated.length, ceremonyPublicKey: 'pk', reconciliation: { backupsWithoutRecord: [], recordsWithoutBackup: [] } }),
    offlineCheck: async () => (track('offlineCheck'), service.offline),
    generateKeys: async (request: { spec: keyof typeof KEY_SPECS; alias: string; count?: number }): Promise<GenerateKeysReply> => {
      track('generateKeys');
      const count = request.count ?? 1;
      const keys = Array.from({ length: count }, (_, index) => {
        const check: KeyCheckValue = KEY_SPECS[request.spec].kind === 'symmetric' ? { kind: 'kcv', value: randomBytes(3).toString('hex').toUpperCase() } : { kind: 'fingerprint', value: randomBytes(32).toString('hex') };
        const key = { id: randomUUID(), alias: count === 1 ? request.alias : `${request.alias}-${index + 1}`, spec: request.spec, check, createdAt: '2026-12-01T09:00:01Z' };
        service.generated.push({ id: key.id, alias: key.alias, check });
        return key;
      });
      return { keys, entropy: { sources: [{ kind: 'os', label: 'crypto.randomBytes', bytes: 32 * count }], healthPassed: true } };
    },
    listKeys: async () => ({ keys: service.generated.map((key) => ({ id: key.id, alias: key.alias, description: null, spec: 'AES_256', check: key.check, createdAt: '2026-12-01T09:00:01Z', status: 'active', backup: 'verified', remote: [] })) }),
    backupVerify: async (request: { keyId?: string }) => {
      track('backupVerify');
      const failed = request.keyId && service.failedBackups.has(request.keyId) ? [{ id: request.keyId, reason: 'backup altered' }] : [];
      return { verified: failed.length ? 0 : 1, failed };
    },
    sharesSplit: async (request: { keyId: string; threshold: number; shares: number; outDir: string; custodians?: string[] }) => {
      track('sharesSplit');
      await mkdir(request.outDir, { recursive: true });
      const files = [];
      for (let index = 1; index <= request.shares; index++) {
        const file = await writeNew(join(request.outDir, `share-${index}.json`), `share ${index} of ${request.keyId}`);
        files.push({ index, path: file.path, shareCheck: sha256(file.path).slice(0, 6).toUpperCase(), custodian: request.custodians?.[index - 1] ?? null });
      }
      return { keyId: request.keyId, check: { kind: 'kcv', value: 'ABCDEF' }, files, subsetsVerified: 3 };
    },
    escrowWrite: async (request: { keyIds: string[]; path: string; passphrase: string }) => {
      track('escrowWrite');
      await mkdir(join(request.path, '..'), { recursive: true });
      const file = await writeNew(request.path, `escrow of ${request.keyIds.join(',')}`);
      return { path: file.path, keys: request.keyIds.length, sha256: file.sha256 };
    },
    wrap: async (request: { keyId: string; outDir: string; paramsPath: string }) => {
      track('wrap');
      await mkdir(request.outDir, { recursive: true });
      const bundle = await writeNew(join(request.outDir, 'bundle.json'), `bundle of ${request.keyId}`);
      const material = await writeNew(join(request.outDir, 'EncryptedKeyMaterial.bin'), `wrapped ${request.keyId}`);
      const key = service.generated.find((item) => item.id === request.keyId)!;
      return { files: [bundle, material], check: key.check, provider: 'aws', algorithm: 'RSAES_OAEP_SHA_256', warnings: [] };
    },
    recordCeremonyStep: async (record: CeremonyStepRecord) => {
      service.steps.push(record);
      return { seq: service.steps.length, hash: sha256(JSON.stringify(service.steps)) };
    },
    auditVerify: async () => (track('auditVerify'), { valid: true, events: service.steps.length, head: sha256(JSON.stringify(service.steps)) }),
    close: async () => undefined,
  });
  return service;
}
