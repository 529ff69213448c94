// `byok plan check FILE [--at ISO8601]`: validates a ceremony plan before the ceremony and prints the
// reviewers' summary with the plan's SHA-256 in hex and in PGP words. Exit non-zero on any problem.
import type { Command } from 'commander';
import { ByokError } from '../../../shared/errors.ts';
import { checkPlanFile, formatPlanSummary, type PlanCheckReport } from '../../core/plan/index.ts';
import { parseIsoInstant } from '../../core/wrap/timestamps.ts';
import type { CliContext } from '../context.ts';
import { exitCodeFor } from '../exit-codes.ts';

export function register(program: Command, context: CliContext): void {
  const plan = program.command('plan').description('ceremony plans, reviewed before the ceremony');
  plan
    .command('check <file>')
    .description('check a plan: schema, import parameters at the planned time, provider rules, output folder, shares')
    .option('--at <iso8601>', 'when the ceremony will run (deadlines are checked against it); default now')
    .action(async (file: string, options: { at?: string }) => {
      const report = await checkPlanFile(file, { at: parseAt(options.at) });
      context.print(planCheckDocument(report), () => formatPlanSummary(report));
      if (!report.ok) {
        const one = report.problems.length === 1;
        process.stderr.write(`byok: the plan has ${report.problems.length} problem${one ? '' : 's'}; fix ${one ? 'it' : 'them'} and check again.\n`);
        process.exitCode = exitCodeFor('PLAN_INVALID');
      }
    });
}

export function parseAt(value: string | undefined): Date {
  if (value === undefined) return new Date();
  // The same reading as every other deadline, so an impossible date (Feb 30) is refused, not rolled over.
  const date = parseIsoInstant(value);
  if (date === null) throw new ByokError('INVALID_ARGUMENT', `--at ${value} is not a valid ISO-8601 time with a zone, e.g. 2026-12-01T09:00:00Z.`);
  return date;
}

/** The JSON document of `plan check --json`: stable field names, no secrets (params files give no tokens). */
export function planCheckDocument(report: PlanCheckReport) {
  return {
    plan: report.planPath,
    ok: report.ok,
    sha256: report.sha256,
    words: report.words,
    checkedAt: report.checkedAt,
    ceremony: report.plan?.ceremony ?? null,
    operator: report.plan?.operator ?? null,
    witnesses: report.plan?.witnesses ?? [],
    confirmations: report.plan?.confirmations ?? null,
    keys: report.slots.map((slot) => ({
      label: slot.label,
      alias: slot.alias,
      spec: slot.spec,
      params: slot.paramsFile,
      provider: slot.params?.provider ?? null,
      remoteKeyId: slot.params?.remoteKeyId ?? null,
      algorithm: slot.params?.algorithm ?? null,
      parametersValidTo: slot.params?.parametersValidTo ?? null,
      materialExpiry: slot.materialExpiry ?? 'never',
      warnings: slot.params?.warnings ?? [],
    })),
    output: report.output,
    shares: report.plan?.backup.shares
      ? { threshold: report.plan.backup.shares.threshold, shares: report.plan.backup.shares.shares, custodians: report.plan.backup.shares.custodians ?? null, out: report.sharesOut }
      : null,
    escrow: report.escrowPath,
    problems: report.problems,
  };
}
