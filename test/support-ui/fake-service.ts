// An in-memory CeremonyService for component and IPC unit tests only (e2e and benches use the real core).
// It returns well-formed metadata, never material; every method is a vi.fn so tests can spy and override.
import { vi } from 'vitest';
import type {
  AuditEventSummary,
  CeremonyService,
  KeySummary,
  PlanCheckSummary,
  ProviderSummary,
} from '../../shared/ceremony-api.ts';
import type { KeySpecName } from '../../shared/key-specs.ts';
import { KEY_SPECS } from '../../shared/key-specs.ts';

const NOW = '2026-11-25T10:00:00Z';

function checkFor(spec: KeySpecName, n: number): KeySummary['check'] {
  const symmetric = KEY_SPECS[spec].kind === 'symmetric';
  const hex = (n * 2654435761 >>> 0).toString(16).padStart(8, '0');
  return symmetric
    ? { kind: 'kcv', value: hex.slice(0, 6).toUpperCase() }
    : { kind: 'fingerprint', value: hex.repeat(8) };
}

export function fakeKey(n: number, overrides: Partial<KeySummary> = {}): KeySummary {
  const spec: KeySpecName = overrides.spec ?? (n % 2 === 0 ? 'AES_256' : 'RSA_2048');
  return {
    id: `key-${n}`,
    alias: `alias/test-${n}`,
    description: null,
    spec,
    check: checkFor(spec, n + 1),
    createdAt: NOW,
    status: 'active',
    backup: 'verified',
    remote: [],
    ...overrides,
  };
}

/** A checked plan with two keys of one entry and one of another, as the plan module reports it. */
export function fakePlanCheck(path: string, overrides: Partial<PlanCheckSummary> = {}): PlanCheckSummary {
  const folder = path.replace(/\/[^/]*$/, '');
  const slot = (alias: string, label: string, spec: KeySpecName, count: number, file: string) => ({
    alias, label, spec, count, description: null, paramsFile: file, paramsPath: `${folder}/${file}`,
    provider: 'aws' as const, algorithm: 'RSAES_OAEP_SHA_256' as const, materialExpiry: null, outDir: `${folder}/out/${label}`,
  });
  return {
    planPath: path,
    ok: true,
    sha256: '0123456789abcdef'.repeat(4),
    words: 'aardvark absurd accrue acme',
    checkedAt: NOW,
    ceremony: 'Payments keys',
    operator: 'Alice Operator',
    witnesses: ['Bob Witness', 'Carol Witness'],
    confirmations: 'witness',
    keys: [
      slot('payments-dek', 'payments-dek-1', 'AES_256', 2, 'params/a1.json'),
      slot('payments-dek', 'payments-dek-2', 'AES_256', 2, 'params/a2.json'),
      slot('signing-ec', 'signing-ec', 'EC_P256', 1, 'params/h.json'),
    ],
    output: `${folder}/out`,
    backup: { keychain: true, split: null, escrowPath: null },
    problems: [],
    ...overrides,
  };
}

export type FakeService = { [K in keyof CeremonyService]: CeremonyService[K] & ReturnType<typeof vi.fn> } & {
  keys: KeySummary[];
  events: AuditEventSummary[];
  providers: ProviderSummary[];
};

export function createFakeService(initialKeys: KeySummary[] = []): FakeService {
  const keys = [...initialKeys];
  const events: AuditEventSummary[] = [];
  const providers: ProviderSummary[] = [];
  let seq = 0;
  const log = (type: string, summary: string, operator: string | null = null, witnesses: string[] = []) =>
    events.push({ seq: ++seq, time: NOW, type, operator, witnesses, summary });

  const service: CeremonyService = {
    vaultInfo: async () => ({
      vaultId: 'vault-1',
      dir: '/tmp/vault',
      keys: keys.length,
      ceremonyPublicKey: 'ab'.repeat(32),
      ceremonyKeyProblem: null,
      reconciliation: { backupsWithoutRecord: [], recordsWithoutBackup: [], damagedBatches: [] },
    }),
    reconcile: async () => ({ backupsWithoutRecord: [], recordsWithoutBackup: [], damagedBatches: [] }),
    generateKeys: async (request, options) => {
      const count = request.count ?? 1;
      const created = [];
      for (let i = 0; i < count; i++) {
        options?.onProgress?.({ operation: 'generate', done: i, total: count, message: `key ${i + 1}` });
        const key = fakeKey(keys.length + 1, {
          spec: request.spec,
          alias: count === 1 ? request.alias : `${request.alias}-${i + 1}`,
          id: `key-${keys.length + 1}`,
        });
        keys.push(key);
        created.push({ id: key.id, alias: key.alias, spec: key.spec, check: key.check, createdAt: key.createdAt });
        log('key.generated', `generated ${key.alias}`, request.operator ?? null, request.witnesses ?? []);
      }
      options?.onProgress?.({ operation: 'generate', done: count, total: count, message: 'done' });
      return { keys: created, entropy: { sources: [{ kind: 'os', label: 'crypto.getRandomValues', bytes: 64 }], healthPassed: true } };
    },
    listKeys: async (filter) => ({
      keys: keys.filter(
        (key) =>
          (!filter?.search || key.alias.includes(filter.search) || key.id.includes(filter.search)) &&
          (!filter?.spec || key.spec === filter.spec),
      ),
    }),
    keyHistory: async (keyId) => ({ events: events.filter((event) => event.summary.includes(keyId)) }),
    inspectParams: async () => ({
      provider: 'aws',
      remoteKeyId: 'arn:aws:kms:us-east-1:111122223333:key/abcd',
      wrappingKeySpec: 'RSA_4096',
      wrappingKeyBits: 4096,
      algorithm: 'RSAES_OAEP_SHA_256',
      algorithmsAllowed: { AES_256: ['RSAES_OAEP_SHA_256'] },
      parametersValidTo: '2026-11-26T10:00:00Z',
      secondsLeft: 86400,
      warnings: [],
    }),
    wrap: async (request) => {
      const key = keys.find((candidate) => candidate.id === request.keyId);
      if (!key) throw new Error('no key');
      return {
        files: [{ name: 'bundle.json', path: `${request.outDir}/bundle.json`, sha256: 'a'.repeat(64) }],
        check: key.check,
        provider: 'aws',
        algorithm: 'RSAES_OAEP_SHA_256',
        warnings: [],
      };
    },
    wrapAll: async (request, options) => {
      const targets = keys.slice(0, 2);
      const replies = targets.map((key, i) => {
        options?.onProgress?.({ operation: 'wrap', done: i + 1, total: targets.length, message: key.alias });
        return {
          keyId: key.id,
          files: [{ name: 'bundle.json', path: `${request.outDir}/${key.alias}/bundle.json`, sha256: String(i + 1).repeat(64) }],
          check: key.check,
          provider: 'aws' as const,
          algorithm: 'RSAES_OAEP_SHA_256' as const,
          warnings: [],
        };
      });
      return { keys: replies };
    },
    verifyBundle: async () => {
      throw new Error('not in the fake');
    },
    backupVerify: async (request, options) => {
      const targets = request.keyId ? keys.filter((key) => key.id === request.keyId) : keys;
      targets.forEach((_, i) => options?.onProgress?.({ operation: 'backup-verify', done: i + 1, total: targets.length, message: '' }));
      return { verified: targets.length, failed: [] };
    },
    backupRestore: async (request) => {
      const key = keys.find((candidate) => candidate.id === request.keyId) ?? fakeKey(0);
      return { key: { id: key.id, alias: key.alias, spec: key.spec, check: key.check }, restoredRecord: false };
    },
    vaultRebuild: async () => ({ recovered: [], unrecoverable: [], quarantined: [] }),
    sharesSplit: async (request) => ({
      keyId: request.keyId,
      check: fakeKey(1).check,
      files: Array.from({ length: request.shares }, (_, i) => ({
        index: i + 1,
        path: `${request.outDir}/share-${i + 1}.json`,
        shareCheck: `A1B2C${i}`,
        custodian: request.custodians?.[i] ?? null,
      })),
      subsetsVerified: 3,
    }),
    sharesCombine: async (request) => ({ keyId: 'key-1', check: fakeKey(1).check, sharesUsed: request.paths.length, restoredToKeychain: true }),
    escrowWrite: async (request) => ({ path: request.path, keys: request.keyIds.length, sha256: 'b'.repeat(64) }),
    auditVerify: async () => ({ valid: true, events: events.length, head: 'c'.repeat(64) }),
    auditList: async (filter) => ({ events: events.slice(-(filter?.limit ?? events.length)) }),
    auditExport: async (request) => ({ name: `transcript.${request.format}`, path: request.out, sha256: 'd'.repeat(64) }),
    providerAdd: async (request) => {
      const summary: ProviderSummary = { name: request.name, type: request.type, region: request.region, hasCredentials: true, connected: false };
      providers.push(summary);
      return summary;
    },
    providerList: async () => ({ providers }),
    providerRemove: async (request) => ({ removed: providers.some((provider) => provider.name === request.name) }),
    sync: async () => ({ imported: [], expiring: [], expired: [], drifted: [], renewed: [], renewalRequests: [], pendingJobs: 0, failedJobs: [] }),
    syncJobs: async () => ({ jobs: [] }),
    remoteCreateKey: async (request) => ({ keyId: request.keyId, provider: request.provider, remoteKeyId: `remote-${request.keyId}` }),
    remoteParams: async (request) => ({ path: request.out, keys: request.keyIds.length, parametersValidTo: '2026-11-26T10:00:00Z', sha256: 'f'.repeat(64) }),
    importBundle: async () => ({ keyId: 'key-1', provider: 'p', remoteKeyId: 'remote-key-1', state: 'Enabled', materialExpiry: null, proof: 'kcv compared' }),
    renewKey: async (request) => ({ keyId: request.keyId, renewed: true, renewalRequest: null, materialExpiry: '2027-11-25T10:00:00Z' }),
    deleteMaterial: async (request) => {
      const key = keys.find((candidate) => candidate.id === request.keyId);
      const binding = key?.remote.find((candidate) => !request.provider || candidate.provider === request.provider);
      if (!key || !binding) throw new Error('no binding');
      binding.state = 'PendingImport';
      binding.materialExpiry = null;
      return { keyId: key.id, provider: binding.provider, remoteKeyId: binding.remoteKeyId, state: 'PendingImport' };
    },
    planCheck: async (request) => fakePlanCheck(request.path),
    offlineCheck: async () => ({ offline: true, interfaces: [], defaultRoute: false, checkedAt: NOW }),
    recordCeremonyStep: async () => ({ seq: ++seq, hash: 'e'.repeat(64) }),
    close: async () => undefined,
  };
  const spied = Object.fromEntries(
    Object.entries(service).map(([name, method]) => [name, vi.fn(method as (...args: unknown[]) => unknown)]),
  );
  return Object.assign(spied, { keys, events, providers }) as unknown as FakeService;
}
