// The witness read-back: a check value shown on screen, typed back by a witness, compared ignoring
// case and spaces. Typing it (not answering "y") is what makes the witness actually read it.
import type { KeyCheckValue } from '../../../shared/ceremony-api.ts';

export function normaliseCheckValue(typed: string): string {
  return typed.replace(/\s+/g, '').toUpperCase();
}

export function checkValueMatches(check: KeyCheckValue, typed: string): boolean {
  return normaliseCheckValue(typed) === normaliseCheckValue(check.value);
}

/** KCVs as they are (6 characters); fingerprints in groups of four, easier to read aloud and type. */
export function displayCheckValue(check: KeyCheckValue): string {
  return check.kind === 'kcv' ? check.value : (check.value.match(/.{1,4}/g) ?? [check.value]).join(' ');
}

export function checkName(check: KeyCheckValue): string {
  return check.kind === 'kcv' ? 'KCV' : 'fingerprint (SHA-256 of the public key)';
}
