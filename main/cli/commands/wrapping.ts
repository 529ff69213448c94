// byok params inspect | wrap | bundle verify
import type { Command } from 'commander';
import { ByokError } from '../../../shared/errors.ts';
import type { WrappingAlgorithm } from '../../../shared/providers.ts';
import { verifyBundleFile, type CoreCeremonyService } from '../../core/ceremony.ts';
import { systemClock } from '../../core/clock.ts';
import { inspectParams } from '../../core/use-cases/wrap-key.ts';
import type { CliContext } from '../context.ts';
import { checkField, checkText, wrapChoices } from '../format.ts';

export function register(program: Command, context: CliContext): void {
  program
    .command('params')
    .description('import parameters saved from a KMS')
    .command('inspect <file>')
    .description('show the provider, remote key, wrapping key, accepted algorithms and deadline of a parameters file')
    .option('--algorithm <alg>', 'wrapping algorithm, when the file does not say it')
    .action(async (file: string, options: { algorithm?: string }) => {
      const request = { path: file, ...(options.algorithm ? { algorithm: options.algorithm as WrappingAlgorithm } : {}) };
      let summary;
      try {
        // With a vault, a refusal is recorded in its audit log like every other refusal.
        summary = await (await context.service()).inspectParams(request);
      } catch (error) {
        // Reading a parameters file needs no vault, and a mistyped --vault must not create one: without a
        // vault the file is read on its own (inspectParams uses nothing of the context but the clock).
        if (!(error instanceof ByokError && error.code === 'VAULT_NOT_FOUND')) throw error;
        summary = await inspectParams({ clock: systemClock }, request);
      }
      context.print(summary, () =>
        [
          `provider:            ${summary.provider}`,
          `remote key:          ${summary.remoteKeyId ?? '(not in the file)'}`,
          `wrapping key:        ${summary.wrappingKeySpec} (${summary.wrappingKeyBits} bits)`,
          `algorithm in file:   ${summary.algorithm ?? '(none: pass --algorithm when wrapping)'}`,
          `valid until:         ${summary.parametersValidTo ? `${summary.parametersValidTo} (UTC)` : '(not stated)'}${summary.secondsLeft !== null ? `, ${Math.floor(summary.secondsLeft / 60)} min left` : ''}`,
          'accepted:',
          ...Object.entries(summary.algorithmsAllowed).map(([spec, algorithms]) => `  ${spec.padEnd(9)} ${algorithms!.join(', ')}`),
          ...summary.warnings.map((warning) => `warning: ${warning}`),
        ].join('\n'),
      );
    });

  program
    .command('wrap')
    .description('wrap a key for import with a KMS\'s parameters; writes bundle.json and the provider\'s own files, never overwriting')
    .option('--key <id>', 'key id (or alias); without it, every key of a request file is wrapped into <out>/<alias>/')
    .requiredOption('--params <file>', 'import parameters as saved from the KMS console, CLI or API, or a request file from `byok remote params`')
    .requiredOption('--out <dir>', 'output folder (created if absent; existing files are never overwritten)')
    .option('--algorithm <alg>', 'wrapping algorithm, when the parameters file does not say it')
    .option('--material-expiry <when>', 'ISO-8601 time the KMS deletes the material, or "never"')
    .action(async (options: { key?: string; params: string; out: string; algorithm?: string; materialExpiry?: string }) => {
      const service = (await context.service()) as CoreCeremonyService;
      if (!options.key) {
        const all = await service.wrapAll({
          paramsPath: options.params,
          outDir: options.out,
          ...wrapChoices(options),
          ...context.operatorContext(),
        }, { onProgress: context.progress });
        context.print({ keys: all.keys.map((key) => ({ keyId: key.keyId, files: key.files, ...checkField(key.check), provider: key.provider, algorithm: key.algorithm, warnings: key.warnings })) }, () =>
          all.keys.map((key) => `${key.keyId}  ${checkText(key.check)}  ${key.provider} ${key.algorithm}  ${key.files.length} files in ${key.files[0] ? key.files[0].path.replace(/\/[^/]*$/, '') : ''}`).join('\n'),
        );
        return;
      }
      const reply = await service.wrap({
        keyId: options.key,
        paramsPath: options.params,
        outDir: options.out,
        ...wrapChoices(options),
        ...context.operatorContext(),
      }, { onProgress: context.progress });
      for (const warning of reply.warnings) process.stderr.write(`warning: ${warning}\n`);
      context.print({ files: reply.files, ...checkField(reply.check), provider: reply.provider, algorithm: reply.algorithm, warnings: reply.warnings }, () =>
        [`${checkText(reply.check)} wrapped for ${reply.provider} with ${reply.algorithm}:`, ...reply.files.map((file) => `  ${file.path}  sha256 ${file.sha256}`)].join('\n'),
      );
    });

  program
    .command('bundle')
    .description('export bundles')
    .command('verify <file>')
    .description('check a bundle\'s signature, every field, and the provider files beside it')
    .action(async (file: string) => {
      let reply;
      try {
        reply = await (await context.service()).verifyBundle({ path: file });
      } catch (error) {
        // Verifying a bundle needs no vault: without one, the signature is checked against the key in the bundle.
        if (!(error instanceof ByokError && error.code === 'VAULT_NOT_FOUND')) throw error;
        reply = await verifyBundleFile(file);
      }
      context.print({ ...reply, ...checkField(reply.check) }, () =>
        `valid: ${reply.alias} (${reply.spec}, ${checkText(reply.check)}) for ${reply.provider} with ${reply.algorithm}; signed ${reply.signedByThisVault ? 'by this vault' : `by ceremony key ${reply.signerPublicKey}`}.`,
      );
    });
}
