// One thing wrong with a plan, located in the plan file when it can be (1-based line and column).
import type { ErrorCode } from '../../../shared/errors.ts';

export const PLAN_PROBLEM_CODES = [
  'YAML_SYNTAX',
  'SCHEMA',
  'WITNESS_REQUIRED',
  'KEYCHAIN_REQUIRED',
  'DUPLICATE_ALIAS',
  'PARAMS_COUNT_MISMATCH',
  'PARAMS_NOT_FOUND',
  'PARAMS_DUPLICATE_REMOTE_KEY',
  'ALGORITHM_UNDECIDED',
  'OUTPUT_NOT_EMPTY',
  'SHARES_INVALID',
  'CUSTODIANS_MISMATCH',
  'ESCROW_EXISTS',
] as const;

/** A plan rule's own code, or the core's error code when a params file is refused by the core's checks. */
export type PlanProblemCode = (typeof PLAN_PROBLEM_CODES)[number] | ErrorCode;

export interface PlanProblem {
  line?: number;
  column?: number;
  /** Where in the plan, e.g. `keys[1].params[0]`; empty for the whole file. */
  path: string;
  code: PlanProblemCode;
  message: string;
}

export type PlanPath = ReadonlyArray<string | number>;

export function formatPlanPath(path: PlanPath): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : text ? `.${part}` : part;
  return text;
}

/** `plan.yaml:12:5 keys[0].spec SCHEMA: ...` — one problem per line, as compilers print them. */
export function formatPlanProblem(problem: PlanProblem, fileName: string): string {
  const where = problem.line ? `${fileName}:${problem.line}:${problem.column ?? 1}` : fileName;
  return `${where} ${problem.path ? `${problem.path} ` : ''}${problem.code}: ${problem.message}`;
}
