// What the ceremony wizard has decided so far. One row per parameters file: the key generated for it and
// what happened to that key at each step.
import type { GenerateKeysReply, KeyCheckValue, OutputFile, ParamsSummary, WrapReply } from '../../shared/ceremony-api.ts';
import type { KeySpecName } from '../../shared/key-specs.ts';

export interface CeremonyRow {
  paramsPath: string;
  params?: ParamsSummary;
  spec: KeySpecName;
  alias: string;
  key?: { id: string; check: KeyCheckValue };
  typedCheck: string;
  backupVerified?: boolean;
  wrap?: WrapReply;
}

export interface CeremonyState {
  ceremonyId: string;
  rows: CeremonyRow[];
  operator: string;
  witnesses: string;
  entropy?: GenerateKeysReply['entropy'];
  offlineAcknowledged: boolean;
  outDir: string;
  materialExpiry: string;
}

export const WIZARD_STEPS = ['params', 'keys', 'offline', 'generate', 'kcv', 'backup', 'wrap', 'summary'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export function witnessList(state: CeremonyState): string[] {
  return state.witnesses
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

export function operatorContext(state: CeremonyState): { operator?: string; witnesses?: string[] } {
  const witnesses = witnessList(state);
  return { ...(state.operator.trim() ? { operator: state.operator.trim() } : {}), ...(witnesses.length ? { witnesses } : {}) };
}

/** What the witness must type back: the whole KCV, or the first 16 hex digits of a fingerprint. */
export function expectedReadBack(check: KeyCheckValue): string {
  return check.kind === 'kcv' ? check.value.toUpperCase() : check.value.slice(0, 16).toLowerCase();
}

export function readBackMatches(check: KeyCheckValue, typed: string): boolean {
  const normalized = typed.replace(/[\s:-]/g, '');
  return check.kind === 'kcv'
    ? normalized.toUpperCase() === expectedReadBack(check)
    : normalized.toLowerCase() === expectedReadBack(check);
}

export function allFiles(rows: CeremonyRow[]): OutputFile[] {
  return rows.flatMap((row) => row.wrap?.files ?? []);
}
