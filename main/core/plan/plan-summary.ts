// The reviewers' summary of a checked plan: what will be generated, for which KMS keys, backed up how,
// written where, and the plan's hash in hex and in words so every reviewer signs off the same file.
import { basename } from 'node:path';
import { PROVIDERS } from '../../../shared/providers.ts';
import type { PlanCheckReport } from './check-plan.ts';
import { formatPlanProblem } from './plan-problem.ts';

export function formatPlanSummary(report: PlanCheckReport): string {
  const lines: string[] = [];
  const plan = report.plan;
  lines.push(`Plan ${report.planPath}`);
  if (plan) {
    lines.push(`  Ceremony:      ${plan.ceremony}`);
    lines.push(`  Operator:      ${plan.operator}`);
    lines.push(`  Witnesses:     ${plan.witnesses.length ? plan.witnesses.join(', ') : '(none)'}`);
    lines.push(`  Confirmations: ${plan.confirmations === 'witness' ? 'each check value typed back by a witness' : 'NONE (unattended run)'}`);
    lines.push('', '  Keys:');
    for (const slot of report.slots) {
      const params = slot.params;
      const target = params
        ? `${PROVIDERS[params.provider].displayName}${params.remoteKeyId ? ` key ${params.remoteKeyId}` : ''}, ${params.algorithm ?? 'algorithm unknown'}, wrapping key ${params.wrappingKeySpec}, parameters valid to ${params.parametersValidTo ?? 'no deadline'} UTC`
        : 'parameters not usable (see problems)';
      lines.push(`    ${slot.label.padEnd(24)} ${slot.spec.padEnd(9)} ${target}`);
      lines.push(`    ${''.padEnd(24)} params ${slot.paramsFile}; material expiry ${slot.materialExpiry ?? 'never'}${slot.description ? `; ${slot.description}` : ''}`);
      for (const warning of params?.warnings ?? []) lines.push(`    ${''.padEnd(24)} warning: ${warning}`);
    }
    lines.push('', '  Backup:');
    lines.push('    OS keychain:   every key, read back and compared before it is reported');
    const shares = plan.backup.shares;
    if (shares) {
      lines.push(`    Shares:        ${shares.threshold} of ${shares.shares} per key, into ${report.sharesOut}`);
      if (shares.custodians) lines.push(`    Custodians:    ${shares.custodians.map((name, index) => `${index + 1}. ${name}`).join('; ')}`);
    } else lines.push('    Shares:        none');
    lines.push(`    Escrow file:   ${report.escrowPath ?? 'none'}`);
    lines.push('', `  Output folder: ${report.output}`);
  }
  lines.push('', `  Checked at:    ${report.checkedAt} UTC`);
  lines.push(`  SHA-256:       ${groupHex(report.sha256)}`);
  lines.push(`  In words:      ${wrapWords(report.words, 15)}`);
  lines.push('');
  if (report.ok) lines.push('  No problems found. Reviewers: compare the SHA-256 words above and sign off this exact file.');
  else {
    lines.push(`  ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}:`);
    for (const problem of report.problems) lines.push(`    ${formatPlanProblem(problem, basename(report.planPath))}`);
  }
  return lines.join('\n');
}

export function groupHex(hex: string, size = 4): string {
  return hex.match(new RegExp(`.{1,${size}}`, 'g'))?.join(' ') ?? hex;
}

function wrapWords(words: string, indent: number): string {
  const list = words.split(' ');
  const rows: string[] = [];
  for (let index = 0; index < list.length; index += 8) rows.push(list.slice(index, index + 8).join(' '));
  return rows.join(`\n${' '.repeat(indent + 2)}`);
}
