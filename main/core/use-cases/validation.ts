// Boundary checks shared by the use cases.
import type { OperatorContext } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';

/** Huawei's alias rule is the strictest of the providers; every alias must be importable everywhere. */
export const ALIAS_PATTERN = /^[a-zA-Z0-9:/_-]{1,255}$/;

export function assertAlias(alias: string): void {
  if (!ALIAS_PATTERN.test(alias)) {
    throw new ByokError('INVALID_ARGUMENT', 'An alias is 1-255 characters of letters, digits, ":", "/", "_" or "-" (the rule Huawei KMS enforces).');
  }
}

export function operatorFields(context: OperatorContext): { operator?: string; witnesses?: string[] } {
  return {
    ...(context.operator ? { operator: context.operator } : {}),
    ...(context.witnesses?.length ? { witnesses: context.witnesses } : {}),
  };
}
