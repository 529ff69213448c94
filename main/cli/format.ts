// Human-readable output helpers (the --json form is the service's reply, reshaped only where the CLI's
// public shape says so).
import { InvalidArgumentError } from 'commander';
import type { KeyCheckValue, ReconciliationReport } from '../../shared/ceremony-api.ts';
import type { WrappingAlgorithm } from '../../shared/providers.ts';

/** The CLI's public shape names the check by its kind: {"kcv": "..."} or {"fingerprint": "..."}. */
export function checkField(check: KeyCheckValue): { kcv: string } | { fingerprint: string } {
  return check.kind === 'kcv' ? { kcv: check.value } : { fingerprint: check.value };
}

export function checkText(check: KeyCheckValue): string {
  return check.kind === 'kcv' ? `KCV ${check.value}` : `SHA-256 ${check.value.replace(/(.{4})(?=.)/g, '$1 ')}`;
}

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * An option's whole-number parser, `min`..`max` inclusive. It throws commander's InvalidArgumentError,
 * which commander turns into a usage error (exit 2) naming the option and the value given; a plain
 * Error would escape as an internal error (exit 70).
 */
export function wholeNumber(name: string, { min = 1, max = 999_999 }: { min?: number; max?: number } = {}): (value: string) => number {
  return (value: string) => {
    // Digits only: '1e3', '1.5', '-1', '0x10' and ' 7' all parse as numbers in JavaScript, and none is what a user types for a count.
    const number = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= min && number <= max)) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    return number;
  };
}

export function reconciliationWarnings(report: ReconciliationReport): string[] {
  return [
    ...report.backupsWithoutRecord.map((id) => `keychain backup of ${id} has no vault record (an interrupted generation, or a lost database): run \`byok backup restore --key ${id}\``),
    ...report.recordsWithoutBackup.map((id) => `vault record ${id} has no keychain backup: restore it from shares or an escrow file, then run \`byok backup verify --key ${id}\``),
    ...(report.damagedBatches ?? []).map((batch) => `keychain batch ${batch.batchId} is damaged (${batch.problems.join('; ')}): run \`byok backup verify --all\``),
  ];
}

/** The wrap choices shared by `wrap` and `keys generate --wrap-params`, as the service takes them (unset ones left out). */
export function wrapChoices(options: { algorithm?: string; materialExpiry?: string }): { algorithm?: WrappingAlgorithm; materialExpiry?: string } {
  return {
    ...(options.algorithm ? { algorithm: options.algorithm as WrappingAlgorithm } : {}),
    ...(options.materialExpiry ? { materialExpiry: options.materialExpiry } : {}),
  };
}
