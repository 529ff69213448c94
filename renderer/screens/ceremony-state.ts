// What the ceremony wizard has decided so far. One row per parameters file: the key generated for it and
// what happened to that key at each step.
import type { GenerateKeysReply, KeyCheckValue, OutputFile, ParamsSummary, WrapReply } from '../../shared/ceremony-api.ts';
import type { KeySpecName } from '../../shared/key-specs.ts';
import type { WrappingAlgorithm } from '../../shared/providers.ts';

export interface CeremonyRow {
  paramsPath: string;
  params?: ParamsSummary;
  spec: KeySpecName;
  /** Empty: what the parameters file states. */
  algorithm: WrappingAlgorithm | '';
  alias: string;
  key?: { id: string; check: KeyCheckValue };
  /** What this key's generation drew from and whether the health tests passed. */
  entropy?: GenerateKeysReply['entropy'];
  typedCheck: string;
  backupVerified?: boolean;
  wrap?: WrapReply;
}

export interface CeremonyState {
  ceremonyId: string;
  /** The loaded plan's SHA-256, recorded with every step; absent for an ad-hoc ceremony. */
  planSha256?: string;
  rows: CeremonyRow[];
  operator: string;
  witnesses: string;
  offlineAcknowledged: boolean;
  outDir: string;
  materialExpiry: string;
  /** Operator entropy mixed into the OS draw (HKDF in the core); cleared once the keys exist. */
  diceRolls: string;
  entropyFile: string;
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

// When the parameters do not state one: SHA-256 before SHA-1, the legacy PKCS#1 v1.5 last.
const PREFERENCE: readonly WrappingAlgorithm[] = ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1', 'RSAES_PKCS1_V1_5'];

/** The algorithms this row's parameters allow for its spec: the stated one first, then by preference. */
export function algorithmsFor(row: CeremonyRow): WrappingAlgorithm[] {
  const allowed = [...(row.params?.algorithmsAllowed[row.spec] ?? [])].sort((a, b) => PREFERENCE.indexOf(a) - PREFERENCE.indexOf(b));
  const stated = row.params?.algorithm;
  return stated && allowed.includes(stated) ? [stated, ...allowed.filter((name) => name !== stated)] : allowed;
}

/** Keeps the chosen algorithm when the spec still allows it; otherwise the preferred one. */
export function defaultAlgorithm(row: CeremonyRow): WrappingAlgorithm | '' {
  const allowed = algorithmsFor(row);
  if (row.algorithm && allowed.includes(row.algorithm)) return row.algorithm;
  return allowed[0] ?? '';
}

/** Health over the whole ceremony: every generated key's draw passed. */
export function entropyHealth(rows: CeremonyRow[]): 'passed' | 'failed' | undefined {
  const generated = rows.filter((row) => row.entropy);
  if (generated.length === 0) return undefined;
  return generated.every((row) => row.entropy!.healthPassed) ? 'passed' : 'failed';
}
