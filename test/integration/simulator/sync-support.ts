// Shared set-up for the sync tests: the loopback KMS simulator in-process with a temp state folder, and
// ceremony services whose clock follows the simulator's (so expiry decisions agree on both sides).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../../main/kms-sim/index.ts';
import { memoryKeychain, type Keychain } from '../../../main/core/backup/index.ts';
import { createCeremonyService, type CoreCeremonyService } from '../../../main/core/ceremony.ts';
import { parseRequestFile } from '../../../main/core/kms/request-file.ts';
import type { DeleteMaterialOperation } from '../../../main/core/kms/connected-service.ts';

/** The real ceremony service (as the CLI and the app compose it), with the operation not yet in the contract. */
export type CoreService = CoreCeremonyService & DeleteMaterialOperation;

export async function openService(vaultDir: string, clock: { now(): Date }, keychain?: Keychain): Promise<CoreService> {
  return (await createCeremonyService({ vaultDir, create: true, clock, ...(keychain ? { keychain } : {}) })) as CoreService;
}

export const SIM_CREDENTIALS = {
  aws: { accessKeyId: 'AKIASIMULATOR0000001', secretAccessKey: 'sim-secret-aws-0123456789abcdefghijklmn' },
  tencent: { secretId: 'AKIDsimulator000000000000000000000001', secretKey: 'simSecretTencent0123456789abcdef' },
  huawei: { ak: 'SIMULATORHUAWEIAK001', sk: 'simSecretHuawei0123456789abcdefghijklmno', projectId: '0123456789abcdef0123456789abcdef' },
};

export const PROVIDER_LOGINS = {
  aws: { accessKeyId: SIM_CREDENTIALS.aws.accessKeyId, secret: SIM_CREDENTIALS.aws.secretAccessKey },
  tencent: { accessKeyId: SIM_CREDENTIALS.tencent.secretId, secret: SIM_CREDENTIALS.tencent.secretKey },
  huawei: { accessKeyId: SIM_CREDENTIALS.huawei.ak, secret: SIM_CREDENTIALS.huawei.sk, projectId: SIM_CREDENTIALS.huawei.projectId },
};

export interface SimWorld {
  sim: RunningSimulator;
  dir: string;
  clock: { now(): Date };
  open(name: string, keychain?: Keychain): Promise<CoreService>;
  /** Sets the simulator's fault injection. */
  faults(settings: { rate: number; kinds?: string[]; seed?: number }): Promise<void>;
  state(): Promise<{ keys: Array<Record<string, unknown>> }>;
  close(): Promise<void>;
}

export async function startWorld(options: { faultHoldMs?: number } = {}): Promise<SimWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'byok-sync-'));
  const sim = await startSimulator({ port: 0, stateDir: join(dir, 'sim-state'), credentials: SIM_CREDENTIALS, faultHoldMs: options.faultHoldMs ?? 300 });
  const clock = { now: () => sim.clock.now() };
  const services: CoreService[] = [];
  return {
    sim,
    dir,
    clock,
    async open(name, keychain = memoryKeychain()) {
      const service = await openService(join(dir, name), clock, keychain);
      services.push(service);
      return service;
    },
    async faults(settings) {
      const response = await fetch(`${sim.url}/__admin/faults`, { method: 'POST', body: JSON.stringify(settings) });
      if (!response.ok) throw new Error(`fault settings refused: ${await response.text()}`);
    },
    async state() {
      return (await (await fetch(`${sim.url}/__admin/state`)).json()) as { keys: Array<Record<string, unknown>> };
    },
    async close() {
      for (const service of services) await service.close().catch(() => undefined);
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function addProvider(service: Pick<CoreService, 'providerAdd'>, world: SimWorld, type: 'aws' | 'tencent' | 'huawei', name: string = type): Promise<void> {
  const login = PROVIDER_LOGINS[type];
  await service.providerAdd({
    name,
    type,
    region: type === 'aws' ? 'eu-west-1' : type === 'tencent' ? 'ap-guangzhou' : 'cn-north-4',
    endpoint: world.sim.url,
    accessKeyId: login.accessKeyId,
    secret: login.secret,
    ...('projectId' in login ? { projectId: login.projectId } : {}),
  });
}

/** The provider's own parameters for one key, out of our request file (what `byok wrap` reads). */
export async function paramsFileFor(requestPath: string, keyId: string, outPath: string): Promise<string> {
  const file = parseRequestFile(await readFile(requestPath, 'utf8'));
  const entry = file?.entries.find((candidate) => candidate.keyId === keyId);
  if (!entry) throw new Error(`no entry for ${keyId}`);
  await writeFile(outPath, entry.responseText);
  return outPath;
}
