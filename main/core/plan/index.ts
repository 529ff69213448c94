// Ceremony plans: the YAML format, its check, the reviewers' summary and the plan hash in words.
export { PLAN_FORMAT_VERSION, planSchema, type Plan, type PlannedKey, type SharesPolicy, type Confirmations } from './plan-schema.ts';
export { parsePlanText, type ParsedPlan, type PlanSource } from './parse-plan.ts';
export { PLAN_PROBLEM_CODES, formatPlanProblem, type PlanProblem, type PlanProblemCode } from './plan-problem.ts';
export {
  MAX_SHARES,
  checkPlanBytes,
  checkPlanFile,
  planSha256,
  readPlanFile,
  type KeySlot,
  type PlanCheckOptions,
  type PlanCheckReport,
} from './check-plan.ts';
export { checkParamsFile, readParamsFile, type ParamsBrief } from './params-files.ts';
export { formatPlanSummary, groupHex } from './plan-summary.ts';
export { PGP_EVEN_WORDS, PGP_ODD_WORDS, hexToPgpWords, toPgpWords } from './pgp-words.ts';
