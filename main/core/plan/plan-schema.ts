// The plan file's shape, as a zod schema. Structure only: rules that need more than one field, the
// file system or the provider table (witness count, share arithmetic, params files) are checked in
// check-plan.ts, each with its own problem code, so a reviewer sees which rule a plan breaks.
import { z } from 'zod';
import { KEY_SPEC_NAMES } from '../../../shared/key-specs.ts';
import { WRAPPING_ALGORITHMS } from '../../../shared/providers.ts';

export const PLAN_FORMAT_VERSION = 1;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const name = z.string().trim().min(1, 'must not be empty');
const relativePath = z.string().trim().min(1, 'must be a path (relative to the plan file)');

const materialExpiry = z.union([
  z.literal('never'),
  z.string().regex(ISO_UTC, "must be 'never' or an ISO-8601 time with a zone, e.g. 2027-06-30T00:00:00Z"),
]);

export const plannedKeySchema = z.strictObject({
  /** Provider-safe alias (Huawei's rule is the strictest: letters, digits, : / _ -). */
  alias: z.string().regex(/^[a-zA-Z0-9:/_-]{1,255}$/, 'use 1-255 letters, digits or : / _ -'),
  spec: z.enum(KEY_SPEC_NAMES),
  description: z.string().optional(),
  count: z.number().int().min(1).max(1000).default(1),
  /** One import-parameters file per key: a path, or a list with one path per key when count > 1. */
  params: z.union([relativePath, z.array(relativePath).min(1)]),
  algorithm: z.enum(WRAPPING_ALGORITHMS).optional(),
  materialExpiry: materialExpiry.optional(),
});

export const sharesPolicySchema = z.strictObject({
  threshold: z.number().int(),
  shares: z.number().int(),
  custodians: z.array(name).optional(),
  /** Folder for share files, relative to the plan; default: <output>/shares. */
  out: relativePath.optional(),
});

export const backupPolicySchema = z.strictObject({
  /** Always true: a key without a keychain backup must never exist. Kept explicit so reviewers see it. */
  keychain: z.boolean(),
  shares: sharesPolicySchema.optional(),
  escrow: z.strictObject({ path: relativePath }).optional(),
});

export const planSchema = z.strictObject({
  version: z.literal(PLAN_FORMAT_VERSION),
  ceremony: name,
  operator: name,
  witnesses: z.array(name).default([]),
  confirmations: z.enum(['witness', 'none']).default('witness'),
  keys: z.array(plannedKeySchema).min(1, 'a plan needs at least one key'),
  backup: backupPolicySchema,
  output: relativePath,
});

export type Plan = z.infer<typeof planSchema>;
export type PlannedKey = z.infer<typeof plannedKeySchema>;
export type SharesPolicy = z.infer<typeof sharesPolicySchema>;
export type Confirmations = Plan['confirmations'];
