// byok keys generate | list
import type { Command } from 'commander';
import type { CoreCeremonyService } from '../../core/ceremony.ts';
import { DEFAULT_BATCH_SIZE, MAX_COUNT } from '../../core/use-cases/generate-keys.ts';
import type { CliContext } from '../context.ts';
import { checkField, checkText, collect, wholeNumber, reconciliationWarnings, table, wrapChoices } from '../format.ts';
import type { GenerateWrapRequest } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import type { KeySpecName } from '../../../shared/key-specs.ts';

export function register(program: Command, context: CliContext): void {
  const keys = program.command('keys').description('generate and list keys');

  keys
    .command('generate')
    .description('generate keys from OS entropy; each is reported only after its keychain backup is verified and its record saved')
    .requiredOption('--spec <spec>', 'AES_128 | AES_256 | SM4 | HMAC_224..512 | RSA_2048..4096 | EC_P256 | EC_P384')
    .requiredOption('--alias <alias>', 'alias (with --count > 1, a number is appended)')
    .option('--description <text>', 'description')
    .option('--count <n>', 'how many keys', wholeNumber('--count', { max: MAX_COUNT }), 1)
    .option('--entropy-file <file>', 'a file mixed into the OS entropy with HKDF-SHA-512 (repeatable)', collect, [] as string[])
    .option('--dice <rolls>', 'dice rolls (digits 1-6) mixed into the OS entropy')
    .option('--batch-size <n>', `keys per keychain batch (1 to ${DEFAULT_BATCH_SIZE}, default ${DEFAULT_BATCH_SIZE}); each batch is saved and reported as it completes`, wholeNumber('--batch-size', { max: DEFAULT_BATCH_SIZE }))
    .option('--wrap-params <file>', 'also wrap every new key under this provider response (e.g. a GCP import job); checked before anything is generated')
    .option('--out <dir>', 'with --wrap-params: output folder, one sub-folder per alias (existing files are never overwritten)')
    .option('--algorithm <alg>', 'with --wrap-params: wrapping algorithm, when the file does not say it')
    .option('--material-expiry <when>', 'with --wrap-params: ISO-8601 time the KMS deletes the material, or "never"')
    .action(async (options: GenerateOptions) => {
      const wrap = wrapOptions(options);
      const service = (await context.service(true)) as CoreCeremonyService;
      const json = context.options().json;
      const reply = await service.generateKeys(
        {
          spec: options.spec as KeySpecName,
          alias: options.alias,
          count: options.count,
          ...(options.description ? { description: options.description } : {}),
          ...(options.entropyFile.length ? { entropyFiles: options.entropyFile } : {}),
          // An empty --dice "" is passed on and refused: dropping it would generate from OS entropy alone, unasked.
          ...(options.dice !== undefined ? { diceRolls: options.dice } : {}),
          ...(wrap ? { wrap } : {}),
          ...context.operatorContext(),
        },
        {
          onProgress: context.progress,
          ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
          // Without --json, each saved batch is printed at once: a printed key is a saved, backed-up key.
          onSaved: json ? undefined : (saved) => process.stdout.write(saved.map((key) => `${key.id}  ${key.alias}  ${key.spec}  ${checkText(key.check)}\n`).join('')),
        },
      );
      const files = new Map(reply.outputs?.keys.map((key) => [key.keyId, key.files]));
      for (const warning of reply.outputs?.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
      if (json) {
        context.print({
          keys: reply.keys.map((key) => ({ id: key.id, alias: key.alias, spec: key.spec, ...checkField(key.check), createdAt: key.createdAt, ...(reply.outputs ? { files: files.get(key.id) ?? [] } : {}) })),
          ...(reply.outputs ? { provider: reply.outputs.provider, algorithm: reply.outputs.algorithm, warnings: reply.outputs.warnings } : {}),
        }, () => '');
      } else {
        process.stdout.write(`${reply.keys.length} key(s) generated, backed up in the keychain and saved. Entropy: ${reply.entropy.sources.map((source) => source.kind).join(' + ')}, health tests passed.\n`);
        if (reply.outputs) process.stdout.write(`Each wrapped for ${reply.outputs.provider} with ${reply.outputs.algorithm}: ${reply.outputs.keys.length} folder(s) under ${options.out}.\n`);
      }
    });

  keys
    .command('list')
    .description('list the keys in the vault (metadata only)')
    .option('--search <text>', 'filter by alias or id')
    .option('--spec <spec>', 'filter by spec')
    .action(async (options: { search?: string; spec?: string }) => {
      const service = await context.service();
      const { keys: list } = await service.listKeys({ ...(options.search ? { search: options.search } : {}), ...(options.spec ? { spec: options.spec as KeySpecName } : {}) });
      const shaped = list.map((key) => ({ id: key.id, alias: key.alias, spec: key.spec, ...checkField(key.check), status: key.status, backup: key.backup, createdAt: key.createdAt, remote: key.remote }));
      // Backups and records that do not match are reported every time the list is shown, never dropped.
      const reconciliation = await service.reconcile();
      for (const line of reconciliationWarnings(reconciliation)) process.stderr.write(`warning: ${line}\n`);
      context.print({ keys: shaped, reconciliation }, () =>
        list.length === 0
          ? 'No keys in this vault yet. Generate one with `byok keys generate --spec AES_256 --alias NAME`.'
          : table([['ID', 'ALIAS', 'SPEC', 'CHECK', 'STATUS', 'BACKUP'], ...list.map((key) => [key.id, key.alias, key.spec, key.check.value.slice(0, key.check.kind === 'kcv' ? 6 : 16), key.status, key.backup])]),
      );
    });
}

interface GenerateOptions {
  spec: string;
  alias: string;
  description?: string;
  count: number;
  entropyFile: string[];
  dice?: string;
  batchSize?: number;
  wrapParams?: string;
  out?: string;
  algorithm?: string;
  materialExpiry?: string;
}

/** The wrap half of `keys generate --wrap-params`, or undefined; its options make no sense alone. */
function wrapOptions(options: GenerateOptions): GenerateWrapRequest | undefined {
  if (!options.wrapParams) {
    const stray = (['out', 'algorithm', 'materialExpiry'] as const).find((name) => options[name] !== undefined);
    if (stray) throw new ByokError('INVALID_ARGUMENT', `--${stray === 'materialExpiry' ? 'material-expiry' : stray} only applies with --wrap-params FILE.`);
    return undefined;
  }
  if (!options.out) throw new ByokError('INVALID_ARGUMENT', '--wrap-params needs --out DIR: the folder the wrapped keys are written to.');
  return {
    paramsPath: options.wrapParams,
    outDir: options.out,
    ...wrapChoices(options),
  };
}
