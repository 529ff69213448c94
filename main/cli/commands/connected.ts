// byok provider add | list | remove, byok sync, byok remote create-key | params | delete-material,
// byok import, byok renew, byok kms-sim. Credentials come from stdin (two lines: access key id, then
// secret) or a no-echo prompt — never from argv, which every process on the machine can read.
import type { Command } from 'commander';
import { ByokError } from '../../../shared/errors.ts';
import { KEY_SPEC_NAMES, type KeySpecName } from '../../../shared/key-specs.ts';
import { isWrappingAlgorithm, type WrappingAlgorithm } from '../../../shared/providers.ts';
import type { CliContext } from '../context.ts';
import { collect, wholeNumber } from '../format.ts';
import { readOne } from '../prompt.ts';

const TYPES = ['huawei', 'tencent', 'aws'] as const;

function algorithmOption(value: string | undefined): WrappingAlgorithm | undefined {
  if (value === undefined) return undefined;
  if (!isWrappingAlgorithm(value)) throw new ByokError('INVALID_ARGUMENT', `Unknown wrapping algorithm ${value}.`);
  return value;
}

function nonNegativeNumber(name: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!(parsed >= 0) || !Number.isFinite(parsed)) throw new ByokError('INVALID_ARGUMENT', `${name} must be a number >= 0.`);
    return parsed;
  };
}

export function register(program: Command, context: CliContext): void {
  const provider = program.command('provider').description('connected KMS accounts (credentials go to the OS keychain)');

  provider
    .command('add')
    .description('connect a KMS account; reads the access key id and the secret from stdin (two lines) or a prompt')
    .requiredOption('--name <name>', 'a name for this connection')
    .requiredOption('--type <type>', `one of ${TYPES.join(', ')}`)
    .requiredOption('--region <region>', 'the provider region id')
    .option('--project-id <id>', 'Huawei: the project id of the region')
    .option('--endpoint <url>', 'another endpoint (VPC endpoint, the loopback simulator)')
    .action(async (options: { name: string; type: string; region: string; projectId?: string; endpoint?: string }) => {
      if (!(TYPES as readonly string[]).includes(options.type)) throw new ByokError('INVALID_ARGUMENT', `--type must be one of ${TYPES.join(', ')}.`);
      const service = await context.service();
      const accessKeyId = await readOne('Access key id: ');
      const secret = await readOne('Secret: ');
      const reply = await service.providerAdd({
        name: options.name,
        type: options.type as (typeof TYPES)[number],
        region: options.region,
        ...(options.projectId ? { projectId: options.projectId } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        accessKeyId,
        secret,
      });
      context.print(reply, () => `provider ${reply.name} (${reply.type}, ${reply.region}) added; credentials in the keychain.`);
    });

  provider
    .command('list')
    .description('connected providers (no secrets)')
    .action(async () => {
      const reply = await (await context.service()).providerList();
      context.print(reply, () =>
        reply.providers.length === 0
          ? 'no providers'
          : reply.providers.map((entry) => `${entry.name}  ${entry.type}  ${entry.region}${entry.endpoint ? `  ${entry.endpoint}` : ''}  ${entry.hasCredentials ? 'credentials stored' : 'NO CREDENTIALS'}`).join('\n'),
      );
    });

  provider
    .command('remove')
    .description('forget a provider and delete its credentials from the keychain')
    .requiredOption('--name <name>', 'the connection name')
    .action(async (options: { name: string }) => {
      const reply = await (await context.service()).providerRemove({ name: options.name });
      context.print(reply, () => (reply.removed ? `provider ${options.name} removed.` : `no provider ${options.name}.`));
    });

  program
    .command('sync')
    .description('push queued imports, pull key states and expiries, renew expiring material')
    .option('--provider <name>', 'one provider (default: all)')
    .option('--renewal-window-days <days>', 'report and renew material expiring within this many days', nonNegativeNumber('--renewal-window-days'), 7)
    .action(async (options: { provider?: string; renewalWindowDays: number }) => {
      const service = await context.service();
      const reply = await service.sync({ ...(options.provider ? { provider: options.provider } : {}), renewalWindowDays: options.renewalWindowDays }, { onProgress: context.progress });
      context.print(reply, () =>
        [
          `imported: ${reply.imported.length}  renewed: ${reply.renewed.length}  expiring: ${reply.expiring.length}  expired: ${reply.expired.length}  drifted: ${reply.drifted.length}  pending jobs: ${reply.pendingJobs}  failed jobs: ${reply.failedJobs.length}`,
          ...reply.expiring.map((entry) => `  expiring ${entry.id} at ${entry.materialExpiry} (UTC)`),
          ...reply.expired.map((id) => `  expired  ${id}`),
          ...reply.drifted.map((entry) => `  drifted  ${entry.id}: ${entry.reason}`),
          ...reply.renewalRequests.map((path) => `  renewal request written: ${path} (carry it to the air-gapped machine)`),
          ...reply.failedJobs.map((job) => `  FAILED ${job.id}: ${job.reason}`),
        ].join('\n'),
      );
      if (reply.failedJobs.length) process.exitCode = 6;
    });

  program
    .command('jobs')
    .description('the outbound KMS queue of this vault')
    .action(async () => {
      const reply = await (await context.service()).syncJobs();
      context.print(reply, () => reply.jobs.map((job) => `${job.id}  ${job.kind}  ${job.keyId ?? '-'}  ${job.provider}  ${job.status}  attempts ${job.attempts}${job.lastError ? `  ${job.lastError}` : ''}`).join('\n') || 'no jobs');
    });

  const remote = program.command('remote').description('keys at a connected KMS');

  remote
    .command('create-key')
    .description('create a KMS key with no material (origin external) for a vault key')
    .requiredOption('--provider <name>', 'the connection name')
    .requiredOption('--key <id>', 'the vault key')
    .option('--spec <spec>', 'the key spec, when the key lives on the air-gapped machine only')
    .option('--check <value>', 'its KCV or fingerprint as read at the air-gapped machine (checked against the bundle later)')
    .option('--description <text>', 'description at the KMS')
    .option('--forget-interrupted-create', 'after an interrupted create-key this command could not resolve, and you checked the console: create a new key (recorded in the audit log)')
    .action(async (options: { provider: string; key: string; spec?: string; check?: string; description?: string; forgetInterruptedCreate?: boolean }) => {
      if (options.spec !== undefined && !(KEY_SPEC_NAMES as readonly string[]).includes(options.spec)) throw new ByokError('INVALID_ARGUMENT', `Unknown key spec ${options.spec}.`);
      const service = await context.service();
      const reply = await service.remoteCreateKey({
        provider: options.provider,
        keyId: options.key,
        ...(options.description ? { description: options.description } : {}),
        ...(options.spec ? { spec: options.spec as KeySpecName } : {}),
        ...(options.check ? { check: options.check } : {}),
        ...(options.forgetInterruptedCreate ? { forgetInterruptedCreate: true } : {}),
        ...context.operatorContext(),
      } as Parameters<typeof service.remoteCreateKey>[0]);
      context.print(reply, () => `remote key ${reply.remoteKeyId} at ${reply.provider} for ${reply.keyId} (pending import).`);
    });

  remote
    .command('params')
    .description('fetch import parameters for one or many keys into a request file for the air-gapped machine')
    .requiredOption('--provider <name>', 'the connection name')
    .requiredOption('--key <id>', 'a vault key (repeatable)', collect, [] as string[])
    .requiredOption('--out <file>', 'the request file (never overwritten)')
    .option('--algorithm <name>', 'wrapping algorithm (default: the provider\'s preferred one per spec)')
    .action(async (options: { provider: string; key: string[]; out: string; algorithm?: string }) => {
      const algorithm = algorithmOption(options.algorithm);
      const reply = await (await context.service()).remoteParams({ provider: options.provider, keyIds: options.key, out: options.out, ...(algorithm ? { algorithm } : {}), ...context.operatorContext() });
      context.print(reply, () => `${reply.path}: parameters for ${reply.keys} key(s), valid until ${reply.parametersValidTo ?? 'no deadline'} (UTC). sha256 ${reply.sha256}`);
    });

  remote
    .command('delete-material')
    .description('delete the imported material of a key at the KMS (it returns to pending import)')
    .requiredOption('--key <id>', 'the vault key')
    .option('--provider <name>', 'the connection name (when bound at several)')
    .action(async (options: { key: string; provider?: string }) => {
      const service = await context.service();
      const reply = await service.deleteMaterial({ keyId: options.key, ...(options.provider ? { provider: options.provider } : {}), ...context.operatorContext() });
      context.print(reply, () => `material of ${options.key} deleted at the KMS (${reply.remoteKeyId}): ${reply.state}.`);
    });

  program
    .command('import <bundle>')
    .description('import a bundle (bundle.json) into its KMS key and prove the right key was imported')
    .option('--provider <name>', 'the connection name (when several of that type)')
    .option('--trust-signer <key>', "trust the air-gapped vault's ceremony key (as its `byok vault info` shows it) for this and later bundles")
    .action(async (bundle: string, options: { provider?: string; trustSigner?: string }) => {
      const reply = await (await context.service()).importBundle(
        { path: bundle, ...(options.provider ? { provider: options.provider } : {}), ...(options.trustSigner ? { trustSigner: options.trustSigner } : {}), ...context.operatorContext() },
        { onProgress: context.progress },
      );
      context.print(reply, () => `${reply.keyId} imported into ${reply.remoteKeyId} at ${reply.provider}: ${reply.state}, material expiry ${reply.materialExpiry ?? 'never'}.\nproof: ${reply.proof}`);
    });

  program
    .command('renew')
    .description('re-import the same material with fresh parameters (or write a renewal request when the backup is elsewhere)')
    .requiredOption('--key <id>', 'the vault key')
    .option('--provider <name>', 'the connection name (when bound at several)')
    .option('--material-expiry <when>', 'ISO-8601 time or "never" (default: the same lifetime as before)')
    .option('--out <file>', 'write a renewal request file instead of importing here')
    .action(async (options: { key: string; provider?: string; materialExpiry?: string; out?: string }) => {
      const reply = await (await context.service()).renewKey({
        keyId: options.key,
        ...(options.provider ? { provider: options.provider } : {}),
        ...(options.materialExpiry ? { materialExpiry: options.materialExpiry } : {}),
        ...(options.out ? { out: options.out } : {}),
        ...context.operatorContext(),
      });
      context.print(reply, () => (reply.renewed ? `${reply.keyId} renewed; material expiry ${reply.materialExpiry ?? 'never'}.` : `renewal request written: ${reply.renewalRequest} (carry it to the air-gapped machine, wrap, and bring the bundle back to \`byok import\`).`));
    });

  program
    .command('kms-sim')
    .description('run the loopback KMS simulator (tests and rehearsals; binds loopback only)')
    .requiredOption('--port <port>', 'TCP port (0 = any free port)', wholeNumber('--port', { min: 0, max: 65_535 }))
    .requiredOption('--state <dir>', 'state folder (kept across restarts)')
    .requiredOption('--credentials <file>', 'JSON with the credentials the simulator accepts')
    .option('--clock-speed <x>', 'simulated milliseconds per real millisecond', nonNegativeNumber('--clock-speed'), 1)
    .action(async (options: { port: number; state: string; credentials: string; clockSpeed: number }) => {
      const { readFile } = await import('node:fs/promises');
      let credentials: unknown;
      try {
        credentials = JSON.parse(await readFile(options.credentials, 'utf8'));
      } catch {
        throw new ByokError('INVALID_INPUT', `Cannot read the simulator credentials ${options.credentials} as JSON.`);
      }
      const { startSimulator } = await import('../../kms-sim/index.ts');
      const simulator = await startSimulator({ port: options.port, stateDir: options.state, credentials: credentials as Parameters<typeof startSimulator>[0]['credentials'], clockSpeed: options.clockSpeed });
      process.stdout.write(`listening on ${simulator.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void simulator.close().then(resolve, resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
