// byok backup verify | restore | split | combine | escrow, and byok vault rebuild | info
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ByokError } from '../../../shared/errors.ts';
import { MAX_SHARES } from '../../core/backup/index.ts';
import type { CoreCeremonyService } from '../../core/ceremony.ts';
import type { CliContext } from '../context.ts';
import { checkField, checkText, collect, wholeNumber, reconciliationWarnings } from '../format.ts';
import { readSecretLine } from '../prompt.ts';

export function register(program: Command, context: CliContext): void {
  const backup = program.command('backup').description('keychain backups, shares and escrow');

  backup
    .command('verify')
    .description('read each backup, recompute its KCV/fingerprint and compare with the vault')
    .option('--key <id>', 'one key')
    .option('--all', 'every key (default)')
    .action(async (options: { key?: string; all?: boolean }) => {
      if (options.key && options.all) throw new ByokError('INVALID_ARGUMENT', 'Give either --key ID or --all, not both.');
      const service = await context.service();
      const reply = await service.backupVerify({ ...(options.key ? { keyId: options.key } : {}), ...context.operatorContext() }, { onProgress: context.progress });
      context.print(reply, () => [`${reply.verified} backup(s) verified.`, ...reply.failed.map((failure) => `FAILED ${failure.id}: ${failure.reason}`)].join('\n'));
      if (reply.failed.length) process.exitCode = 4;
    });

  backup
    .command('restore')
    .description('restore a key\'s vault record from its keychain backup')
    .requiredOption('--key <id>', 'key id')
    .action(async (options: { key: string }) => {
      // Never creates a vault: a new one would have a new id, whose keychain namespace holds no backups.
      const service = await context.service();
      const reply = await service.backupRestore({ keyId: options.key, ...context.operatorContext() });
      context.print({ ...reply, key: { ...reply.key, ...checkField(reply.key.check) } }, () => `${reply.restoredRecord ? 'restored' : 'already present, backup verified'}: ${reply.key.alias} ${checkText(reply.key.check)}`);
    });

  backup
    .command('split')
    .description('split a key into M-of-N share files for custodians; every M-subset is verified at once')
    .requiredOption('--key <id>', 'key id')
    .requiredOption('--threshold <m>', 'shares needed to restore', wholeNumber('--threshold', { min: 2, max: MAX_SHARES }))
    .requiredOption('--shares <n>', 'shares to write', wholeNumber('--shares', { min: 2, max: MAX_SHARES }))
    .requiredOption('--out <dir>', 'output folder (files are never overwritten)')
    .option('--custodian <name>', 'custodian of each share, in order (repeatable)', collect, [] as string[])
    .action(async (options: { key: string; threshold: number; shares: number; out: string; custodian: string[] }) => {
      const service = await context.service();
      const reply = await service.sharesSplit({ keyId: options.key, threshold: options.threshold, shares: options.shares, outDir: options.out, ...(options.custodian.length ? { custodians: options.custodian } : {}), ...context.operatorContext() });
      context.print({ ...reply, ...checkField(reply.check) }, () =>
        [`${reply.files.length} shares of ${checkText(reply.check)}, ${reply.subsetsVerified} subsets verified:`, ...reply.files.map((file) => `  #${file.index} ${file.path}  share check ${file.shareCheck}${file.custodian ? `  (${file.custodian})` : ''}`)].join('\n'),
      );
    });

  backup
    .command('combine <files...>')
    .description('restore a key from share files; only when the rebuilt KCV matches')
    .action(async (files: string[]) => {
      const service = await context.service(true);
      const reply = await service.sharesCombine({ paths: files, ...context.operatorContext() });
      context.print({ ...reply, ...checkField(reply.check) }, () => `rebuilt ${reply.keyId} (${checkText(reply.check)}) from ${reply.sharesUsed} shares; ${reply.restoredToKeychain ? 'backup written to the keychain' : 'the keychain already held a verified backup'}.`);
    });

  backup
    .command('escrow')
    .description('write a passphrase-protected escrow file (scrypt + AES-256-GCM); the passphrase is read from stdin or a prompt')
    .requiredOption('--key <id>', 'key id (repeatable)', collect, [] as string[])
    .requiredOption('--out <file>', 'escrow file (never overwritten)')
    .action(async (options: { key: string[]; out: string }) => {
      const service = await context.service();
      const passphrase = await readSecretLine('Escrow passphrase: ', { confirm: true });
      const reply = await service.escrowWrite({ keyIds: options.key, path: options.out, passphrase, ...context.operatorContext() });
      context.print(reply, () => `escrow file ${reply.path} (${reply.keys} key(s)), sha256 ${reply.sha256}`);
    });

  backup
    .command('escrow-restore')
    .description('restore keys from an escrow file: each KCV is recomputed; missing keychain backups and vault records are written back')
    .requiredOption('--file <file>', 'the escrow file')
    .action(async (options: { file: string }) => {
      const service = (await context.service(true)) as CoreCeremonyService;
      const passphrase = await readSecretLine('Escrow passphrase: ');
      const reply = await service.escrowRestore({ path: options.file, passphrase, ...context.operatorContext() });
      context.print({ keys: reply.keys.map((key) => ({ ...key, ...checkField(key.check) })) }, () =>
        reply.keys.map((key) => `${key.id}  ${key.alias}  ${checkText(key.check)}  ${key.restoredToKeychain ? 'backup written to the keychain' : 'keychain backup already verified'}${key.restoredRecord ? ', vault record restored' : ''}`).join('\n'),
      );
    });

  const vault = program.command('vault').description('the vault itself');
  vault
    .command('rebuild')
    .description('rebuild the key list from the keychain backups after the database was lost or damaged (a damaged database is moved aside, never deleted)')
    .option('--vault-id <id>', 'the vault id, when the vault.id file or the whole vault folder was lost too (it is in transcripts and `byok vault info`)')
    .action(async (options: { vaultId?: string }) => {
      // The backups are found by the vault id. Without --vault-id it comes from the folder's vault.id, so a
      // folder with no vault in it (a mistyped --vault) is refused: a fresh id would find no backups and
      // report an empty vault as rebuilt. With --vault-id a lost folder is recreated.
      if (!options.vaultId) await requireVaultFolder(context.options().vault);
      const service = await context.service({ create: Boolean(options.vaultId), rebuild: options.vaultId ? { vaultId: options.vaultId } : {} });
      const reply = await service.vaultRebuild(context.operatorContext());
      context.print(reply, () => [...reply.quarantined.map((path) => `damaged database moved aside: ${path}`), `${reply.recovered.length} key(s) recovered from the keychain.`, ...reply.unrecoverable.map((item) => `NOT RECOVERED ${item.item}: ${item.reason}`)].join('\n'));
      if (reply.unrecoverable.length) process.exitCode = 4;
    });
  vault
    .command('info')
    .description('vault id, folder, key count, ceremony key, and backups/records that do not match')
    .action(async () => {
      const info = await (await context.service()).vaultInfo();
      context.print(info, () =>
        [
          `vault ${info.vaultId} at ${info.dir}: ${info.keys} key(s)`,
          `ceremony key (Ed25519): ${info.ceremonyPublicKey ?? 'none yet (made when the vault first signs)'}`,
          ...(info.ceremonyKeyProblem ? [`warning: signing is refused: ${info.ceremonyKeyProblem}`] : []),
          ...reconciliationWarnings(info.reconciliation).map((line) => `warning: ${line}`),
        ].join('\n'),
      );
    });
}

async function requireVaultFolder(dir: string): Promise<void> {
  const folder = resolve(dir);
  // Any vault.* file (vault.id, vault.db, its journal, a damaged database moved aside, a rebuild's own
  // marker) means a vault was here and the core's rebuild decides; a folder with none never held one.
  const names = await readdir(folder).catch(() => [] as string[]);
  if (!names.some((name) => name.startsWith('vault.'))) {
    throw new ByokError(
      'VAULT_NOT_FOUND',
      `No vault in ${folder}, so there is nothing to rebuild. Check --vault (or BYOK_VAULT); if the whole vault folder was lost, pass --vault-id with the id from a transcript or \`byok vault info\` output to rebuild it there.`,
      { dir: folder },
    );
  }
}
