// byok ceremony run | resume | transcript | list — planned ceremonies on a terminal (or unattended,
// when the plan says `confirmations: none`). Narration and prompts go to stderr; stdout carries the
// result (one JSON document with --json).
import { lstat, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ByokError } from '../../../shared/errors.ts';
import {
  listStates,
  loadState,
  runCeremony,
  runRehearsal,
  writeTranscript,
  type CeremonyOutcome,
  type CeremonyPrompter,
  type CeremonyState,
  type TranscriptFormat,
} from '../../core/ceremony-run/index.ts';
import { planSha256, readPlanFile } from '../../core/plan/index.ts';
import type { CliContext } from '../context.ts';
import { exitCodeFor } from '../exit-codes.ts';
import { checkField, table } from '../format.ts';

interface RunFlags {
  plan: string;
  rehearsal?: boolean;
  allowOnline?: boolean;
  escrowPassphraseFile?: string;
  transcript?: string;
  format: string;
}

export function register(program: Command, context: CliContext): void {
  const ceremony = program.command('ceremony').description('run, resume and record planned ceremonies');

  ceremony
    .command('run')
    .description('run a checked plan step by step: offline check, generation, witness read-back, backups, shares, escrow, wraps, transcript')
    .requiredOption('--plan <file>', 'the reviewed plan (YAML)')
    .option('--rehearsal', 'rehearse: throwaway vault and keychain, stand-in wrapping keys; nothing real is kept but the transcript')
    .option('--allow-online', 'run even when a network interface is up or a default route exists (recorded in the transcript)')
    .option('--escrow-passphrase-file <file>', 'unattended runs: read the escrow passphrase from this file')
    .option('--transcript <file>', 'also write the transcript here when the run finishes (never overwrites)')
    .option('--format <format>', 'transcript format: md or html', 'md')
    .action(async (flags: RunFlags) => {
      const format = transcriptFormat(flags.format);
      if (flags.transcript) await refuseTranscriptPath(flags.transcript);
      const common = commonRunOptions(context, flags);
      if (flags.rehearsal) {
        const { createCeremonyService } = await import('../../core/ceremony.ts');
        const outcome = await runRehearsal({
          ...common,
          planPath: resolve(flags.plan),
          openService: (options) => createCeremonyService(options),
          realVaultDir: context.options().vault,
          ...(flags.transcript ? { transcript: { out: flags.transcript, format } } : {}),
        });
        if (outcome.abandonedCleared > 0) process.stderr.write(`Cleared the throwaway vault and keychain items of ${outcome.abandonedCleared} earlier rehearsal(s) that were interrupted.\n`);
        finish(context, outcome, outcome.transcriptPath, outcome.keptStatePath, { keychainService: outcome.keychainService, abandonedRehearsalsCleared: outcome.abandonedCleared });
        return;
      }
      const service = await context.service(true);
      const outcome = await runCeremony({ ...common, service, vaultDir: context.options().vault, planPath: resolve(flags.plan) });
      await finishWithTranscript(context, outcome, flags, format);
    });

  ceremony
    .command('resume')
    .description('continue an interrupted ceremony from its last completed step; keys already reported are never regenerated')
    .option('--plan <file>', 'the plan (default: the path recorded when the ceremony started); it must be unchanged')
    .option('--ceremony <id>', 'which ceremony (default: the only unfinished one)')
    .option('--allow-online', 'run even when the machine is online (recorded in the transcript)')
    .option('--escrow-passphrase-file <file>', 'unattended runs: read the escrow passphrase from this file')
    .option('--transcript <file>', 'also write the transcript here when the run finishes (never overwrites)')
    .option('--format <format>', 'transcript format: md or html', 'md')
    .action(async (flags: Omit<RunFlags, 'plan' | 'rehearsal'> & { plan?: string; ceremony?: string }) => {
      const format = transcriptFormat(flags.format);
      if (flags.transcript) await refuseTranscriptPath(flags.transcript);
      const vaultDir = context.options().vault;
      const state = await ceremonyToResume(vaultDir, flags);
      const service = await context.service(false);
      const outcome = await runCeremony({ ...commonRunOptions(context, flags), service, vaultDir, planPath: flags.plan ? resolve(flags.plan) : state.planPath, resume: state });
      await finishWithTranscript(context, outcome, flags, format);
    });

  ceremony
    .command('transcript')
    .description('write the transcript of a ceremony (default: the latest real one) as Markdown or printable HTML; never overwrites')
    .requiredOption('--out <file>', 'the new file')
    .option('--format <format>', 'md or html', 'md')
    .option('--ceremony <id>', 'which ceremony (a rehearsal kept in this vault, too)')
    .action(async (flags: { out: string; format: string; ceremony?: string }) => {
      const format = transcriptFormat(flags.format);
      const vaultDir = context.options().vault;
      const state = flags.ceremony ? await loadState(vaultDir, flags.ceremony) : latestCeremony(await listStates(vaultDir), vaultDir);
      const file = await writeTranscript(state, flags.out, format);
      context.print({ ceremonyId: state.ceremonyId, rehearsal: state.rehearsal, finished: state.finishedAt !== null, ...file }, () => `transcript of ${state.ceremonyId}${state.rehearsal ? ' (rehearsal)' : ''}: ${file.path}\n  sha256 ${file.sha256}`);
    });

  ceremony
    .command('list')
    .description('the ceremonies recorded in this vault')
    .action(async () => {
      const states = await listStates(context.options().vault);
      const shaped = states.map((state) => ({
        ceremonyId: state.ceremonyId,
        ceremony: state.ceremony,
        rehearsal: state.rehearsal,
        startedAt: state.startedAt,
        finishedAt: state.finishedAt,
        completedSteps: state.completed.length,
        keys: state.keys.length,
        planSha256: state.planSha256,
      }));
      context.print({ ceremonies: shaped }, () =>
        shaped.length === 0
          ? 'No ceremonies in this vault yet. Check a plan with `byok plan check FILE`, then `byok ceremony run --plan FILE`.'
          : table([['ID', 'CEREMONY', 'MODE', 'STARTED', 'STATE'], ...shaped.map((item) => [item.ceremonyId, item.ceremony, item.rehearsal ? 'rehearsal' : 'real', item.startedAt, item.finishedAt ? 'finished' : `${item.completedSteps} steps done`])]),
      );
    });
}

function transcriptFormat(value: string): TranscriptFormat {
  if (value !== 'md' && value !== 'html') throw new ByokError('INVALID_ARGUMENT', '--format is md or html.');
  return value;
}

function commonRunOptions(context: CliContext, flags: { allowOnline?: boolean; escrowPassphraseFile?: string }) {
  const interactive = Boolean(process.stdin.isTTY);
  const passphraseFile = flags.escrowPassphraseFile;
  return {
    allowOnline: Boolean(flags.allowOnline),
    prompter: interactive ? terminalPrompter() : null,
    say: (line: string) => {
      if (!context.options().json) process.stderr.write(`${line}\n`);
    },
    onProgress: context.progress,
    ...(passphraseFile ? { escrowPassphrase: () => readPassphraseFile(passphraseFile) } : {}),
  };
}

async function readPassphraseFile(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  } catch {
    throw new ByokError('FILE_NOT_FOUND', `Cannot read the escrow passphrase file ${path}.`);
  }
}

/** Witness answers are echoed (they are check values, shown on screen anyway); the passphrase is not. */
function terminalPrompter(): CeremonyPrompter {
  return {
    say: (text) => process.stderr.write(`${text}\n`),
    ask: async (question) => {
      const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      // Ctrl-C at a prompt cancels the run; the step stays "in progress" and `ceremony resume` asks again.
      const cancel = new AbortController();
      lines.on('SIGINT', () => cancel.abort());
      try {
        return await lines.question(question, { signal: cancel.signal });
      } catch (error) {
        if (cancel.signal.aborted) throw new ByokError('CANCELLED', 'Cancelled at the prompt. Nothing more was done; continue with `byok ceremony resume`.');
        throw error;
      } finally {
        lines.close();
      }
    },
    askSecret: (question) => readHidden(question),
  };
}

/**
 * Reads a line with echo off. The terminal goes raw before the prompt is shown, so nothing typed in
 * answer to the prompt can be echoed, however fast it comes.
 */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new ByokError('CANCELLED', 'Cancelled at the passphrase prompt; no escrow file was written. Continue with `byok ceremony resume`.'));
          return;
        }
        value = char === '\u007f' ? value.slice(0, -1) : value + char;
      }
    };
    stdin.on('data', onData);
  });
}

async function ceremonyToResume(vaultDir: string, flags: { plan?: string; ceremony?: string }): Promise<CeremonyState> {
  if (flags.ceremony) return loadState(vaultDir, flags.ceremony);
  let unfinished = (await listStates(vaultDir)).filter((state) => !state.finishedAt && !state.rehearsal);
  if (flags.plan) {
    const sha256 = planSha256(await readPlanFile(resolve(flags.plan)));
    const samePath = unfinished.filter((state) => state.planPath === resolve(flags.plan!));
    unfinished = samePath.length ? samePath : unfinished.filter((state) => state.planSha256 === sha256);
  }
  if (unfinished.length === 0) throw new ByokError('CEREMONY_STATE_INVALID', `No unfinished ceremony${flags.plan ? ` for ${flags.plan}` : ''} in ${vaultDir}. See \`byok ceremony list\`.`);
  if (unfinished.length > 1) {
    throw new ByokError('CEREMONY_STATE_INVALID', `Several unfinished ceremonies (${unfinished.map((state) => state.ceremonyId).join(', ')}); choose one with --ceremony ID.`);
  }
  return unfinished[0]!;
}

function latestCeremony(states: CeremonyState[], vaultDir: string): CeremonyState {
  const real = states.filter((state) => !state.rehearsal);
  const latest = (real.length ? real : states).at(-1);
  if (!latest) throw new ByokError('CEREMONY_STATE_INVALID', `No ceremony recorded in ${vaultDir}. Run one with \`byok ceremony run --plan FILE\`.`);
  return latest;
}

/**
 * `--transcript FILE` is written only when the run ends, so a path that cannot be written is refused
 * before the run starts: found afterwards, the keys would already be generated, backed up and wrapped.
 * (writeTranscript still opens with 'wx', for a file that appears during the run.)
 */
async function refuseTranscriptPath(file: string): Promise<void> {
  const path = resolve(file);
  // lstat: a dangling symlink there is refused too, as the final exclusive open would refuse it.
  if (await lstat(path).then(() => true, () => false)) {
    throw new ByokError('OUTPUT_EXISTS', `${path} already exists; a transcript never overwrites a file. Choose another --transcript name; nothing was done.`);
  }
  const folder = dirname(path);
  if (!(await stat(folder).then((stats) => stats.isDirectory(), () => false))) {
    throw new ByokError('FILE_NOT_FOUND', `The folder ${folder} for --transcript does not exist. Create it or choose another path; nothing was done.`);
  }
}

/** A real run's end (run or resume): the transcript when asked for, then the outcome. */
async function finishWithTranscript(context: CliContext, outcome: CeremonyOutcome, flags: { transcript?: string }, format: TranscriptFormat): Promise<void> {
  const transcript = flags.transcript ? await writeTranscript(outcome.state, flags.transcript, format) : null;
  finish(context, outcome, transcript?.path ?? null, outcome.statePath);
}

function finish(context: CliContext, outcome: CeremonyOutcome, transcriptPath: string | null, stateFile: string | null, extra: Record<string, string | number> = {}): void {
  const { state } = outcome;
  const document = {
    ceremonyId: state.ceremonyId,
    rehearsal: state.rehearsal,
    unattended: state.unattended,
    status: outcome.status,
    plan: { path: state.planPath, sha256: state.planSha256, words: state.planWords },
    keys: state.keys.map((key) => ({
      label: key.label,
      id: key.keyId,
      alias: key.alias,
      spec: key.spec,
      ...checkField(key.check),
      confirmation: key.confirmation?.status ?? null,
      witness: key.confirmation?.witness ?? null,
      backupVerified: key.backup?.verified ?? false,
      shares: key.shares?.files.map((file) => ({ index: file.index, file: file.name, shareCheck: file.shareCheck, custodian: file.custodian })) ?? [],
      provider: key.wrap?.provider ?? null,
      algorithm: key.wrap?.algorithm ?? null,
      files: key.wrap?.files ?? [],
    })),
    refusedKeys: outcome.refusedKeys,
    orphanedKeys: state.orphanedKeys,
    escrow: state.escrow,
    audit: state.audit,
    stateFile,
    transcript: transcriptPath,
    ...extra,
  };
  context.print(document, () =>
    [
      `${state.rehearsal ? 'Rehearsal' : 'Ceremony'} ${state.ceremonyId}: ${outcome.status}`,
      ...state.keys.map((key) => `  ${key.label.padEnd(24)} ${key.keyId}  ${key.check.value}  ${key.confirmation?.status ?? '-'}  ${key.wrap ? `${key.wrap.files.length} file(s)` : 'not wrapped'}`),
      `  audit chain head ${state.audit?.head ?? '-'}`,
      ...(transcriptPath
        ? [`  transcript ${transcriptPath}`]
        : stateFile
          ? [`  write the transcript: byok ceremony transcript --ceremony ${state.ceremonyId} --out FILE [--format html]`]
          : ['  the rehearsal record was not kept (the vault folder does not exist): pass --transcript FILE to keep its transcript']),
    ].join('\n'),
  );
  if (outcome.refusedKeys.length) {
    process.stderr.write(`byok: ${outcome.refusedKeys.length} key(s) refused at the witness read-back and not exported: ${outcome.refusedKeys.join(', ')}.\n`);
    process.exitCode = exitCodeFor('CEREMONY_CONFIRMATION_FAILED');
  }
}
