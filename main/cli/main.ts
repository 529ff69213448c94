// The `byok` command: global options, command groups, one output convention, exit codes.
// stdout carries the result (one JSON document with --json); stderr carries progress and errors.
import { Command, CommanderError, Option } from 'commander';
import { ByokError, toErrorReply, type ErrorCode } from '../../shared/errors.ts';
import type { CeremonyService, ProgressEvent } from '../../shared/ceremony-api.ts';
import { defaultVaultDir } from '../core/paths.ts';
import type { CliContext, GlobalOptions } from './context.ts';
import { exitCodeFor } from './exit-codes.ts';
import { registerAllCommands } from './commands/index.ts';

const program = new Command('byok')
  .description('Offline bring-your-own-key ceremonies for Huawei Cloud, Tencent Cloud and AWS KMS.')
  .addOption(new Option('--vault <dir>', 'vault folder').env('BYOK_VAULT').default(defaultVaultDir({ ...process.env, BYOK_VAULT: undefined })))
  .option('--json', 'machine output: one JSON document on stdout', false)
  .option('--operator <name>', 'who runs this step (recorded in the audit log)')
  .option('--witness <name>', 'a witness present (repeatable; recorded in the audit log)', (value: string, previous: string[]) => [...previous, value], [] as string[])
  .showHelpAfterError()
  .exitOverride();

let openService: Promise<CeremonyService> | undefined;

const context: CliContext = {
  options: () => program.opts<GlobalOptions>(),
  service: (mode = false) => {
    const { create = false, rebuild, acceptAuditLoss } = typeof mode === 'boolean' ? { create: mode } : mode;
    openService ??= import('../core/ceremony.ts').then(({ createCeremonyService }) =>
      createCeremonyService({ vaultDir: context.options().vault, create, ...(rebuild ? { rebuild } : {}), ...(acceptAuditLoss ? { acceptAuditLoss } : {}) }),
    );
    return openService;
  },
  print: (value, human) => {
    if (context.options().json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else process.stdout.write(`${human(value as never)}\n`);
  },
  progress: (event: ProgressEvent) => {
    if (context.options().json || !process.stderr.isTTY) return;
    process.stderr.write(`\r${event.operation}: ${event.done}/${event.total} ${event.message}`.padEnd(80) + (event.done >= event.total ? '\n' : ''));
  },
  operatorContext: () => {
    const { operator, witness } = context.options();
    return { ...(operator ? { operator } : {}), ...(witness.length ? { witnesses: witness } : {}) };
  },
};

registerAllCommands(program, context);

function fail(code: ErrorCode, message: string, exitCode: number, note?: string): never {
  const json = process.argv.includes('--json');
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  process.stderr.write(`byok: ${message}\n${note ? `byok: ${note}\n` : ''}`);
  process.exit(exitCode);
}

try {
  await program.parseAsync(process.argv);
  // A command that succeeded without the vault (e.g. `bundle verify` where there is none) already
  // handled the failed open: there is nothing to close, and re-throwing that failure here would turn
  // a printed result into an error. A failing close() of an opened vault still fails the command.
  if (openService) await openService.then((service) => service.close(), () => undefined);
} catch (error) {
  if (openService) await openService.then((service) => service.close()).catch(() => undefined);
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) process.exit(0); // --help, --version
    fail('INVALID_ARGUMENT', error.message.replace(/^error: /, ''), 2);
  }
  const reply = toErrorReply(error);
  // An unexpected error's own text may echo input; its stack is shown only when asked for.
  if (!(error instanceof ByokError) && process.env.BYOK_DEBUG === '1') console.error(error);
  // What the keychain binding itself said (never a secret: the store's error text), to tell a stopped
  // daemon from a timeout or a refused request when the keychain fails.
  const said = error instanceof ByokError && error.code.startsWith('KEYCHAIN_') && typeof error.details?.reason === 'string' ? `the keychain said: ${oneLine(error.details.reason)}` : undefined;
  fail(reply.code, reply.message, exitCodeFor(reply.code), said);
}

/** Text from outside (the keychain daemon) on one line, without control characters, and short. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 500);
}
