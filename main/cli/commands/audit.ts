// byok audit verify | export | list
import type { Command } from 'commander';
import { ByokError } from '../../../shared/errors.ts';
import type { CliContext } from '../context.ts';
import { table } from '../format.ts';

export function register(program: Command, context: CliContext): void {
  const audit = program.command('audit').description('the hash-chained ceremony log');

  audit
    .command('verify')
    .description('check every event against its predecessor; any edit, insertion, reordering or deletion fails')
    .action(async () => {
      const reply = await (await context.service()).auditVerify();
      context.print(reply, () => (reply.valid ? `valid: ${reply.events} events, chain head ${reply.head}` : `INVALID at event ${reply.problem?.seq}: ${reply.problem?.reason}`));
      if (!reply.valid) process.exitCode = 4;
    });

  audit
    .command('export')
    .description('write a printable ceremony transcript (never overwrites)')
    .requiredOption('--out <file>', 'output file')
    .option('--format <format>', 'md or html', 'md')
    .action(async (options: { out: string; format: string }) => {
      if (options.format !== 'md' && options.format !== 'html') throw new ByokError('INVALID_ARGUMENT', '--format is md or html.');
      const reply = await (await context.service()).auditExport({ format: options.format, out: options.out });
      context.print(reply, () => `transcript ${reply.path}, sha256 ${reply.sha256}`);
    });

  audit
    .command('list')
    .description('the latest events')
    .option('--key <id>', 'events about one key')
    .action(async (options: { key?: string }) => {
      const { events } = await (await context.service()).auditList({ ...(options.key ? { keyId: options.key } : {}), limit: 100 });
      context.print({ events }, () => table([['SEQ', 'TIME', 'TYPE', 'OPERATOR', 'SUMMARY'], ...events.map((event) => [String(event.seq), event.time, event.type, event.operator ?? '', event.summary])]));
    });
}
