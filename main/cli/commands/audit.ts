// byok audit verify | export | list | accept-loss
import type { Command } from 'commander';
import { ByokError } from '../../../shared/errors.ts';
import type { CliContext } from '../context.ts';
import { table, wholeNumber } from '../format.ts';

export function register(program: Command, context: CliContext): void {
  const audit = program.command('audit').description('the hash-chained ceremony log');

  audit
    .command('verify')
    .description('check every event against its predecessor; any edit, insertion, reordering or deletion fails')
    .action(async () => {
      const reply = await (await context.service()).auditVerify();
      const losses = reply.acceptedLosses ?? [];
      const lossText = losses.map((loss) => `\nNOTE: event ${loss.seq} records an accepted loss: events up to ${loss.recordedSeq} of the earlier log are gone (byok audit accept-loss).`).join('');
      context.print(reply, () => (reply.valid ? `valid: ${reply.events} events, chain head ${reply.head}${lossText}` : `INVALID at event ${reply.problem?.seq}: ${reply.problem?.reason}`));
      if (!reply.valid) process.exitCode = 4;
    });

  audit
    .command('accept-loss')
    .description('when the log lost events the vault database recorded and no copy exists: record the loss in the log and open the vault again')
    .requiredOption('--event <n>', 'the event number the refusal named (confirms which events are lost)', wholeNumber('--event', { max: 999_999_999 }))
    .action(async (options: { event: number }) => {
      // Accepting a loss is a decision someone answers for: it is refused without a named operator.
      if (!context.options().operator) throw new ByokError('INVALID_ARGUMENT', 'Name who accepts the loss with --operator NAME (and witnesses with --witness); it goes into the audit log with the gap.');
      const service = await context.service({ acceptAuditLoss: { event: options.event, ...context.operatorContext() } });
      const verified = await service.auditVerify();
      context.print({ accepted: true, recordedEvent: options.event, events: verified.events, head: verified.head }, () =>
        `The loss of audit events up to ${options.event} is recorded in the log (an audit.gap event); the log now has ${verified.events} events, chain head ${verified.head}.`,
      );
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
