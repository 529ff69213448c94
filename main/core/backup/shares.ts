// M-of-N custodian shares of one key, with the audited `shamir-secret-sharing` (Privy, audited by Cure53
// and Zellic). Each share file names its key, the key's check value and its own check value, so a
// damaged share or one from another key is named before any combining.
//
// Why base64 (a string) is acceptable for `share` when material never goes through strings elsewhere:
// a single share is not the material. With threshold M >= 2, fewer than M shares carry no information
// about the key (Shamir's scheme is information-theoretically hiding), and a share file exists to be
// handed to a custodian, printed or stored as text. The material itself is only ever in Uint8Arrays.
import { createHash } from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';
import { z } from 'zod';
import { ByokError } from '../../../shared/errors.ts';
import { KEY_SPEC_NAMES, type KeySpecName } from '../../../shared/key-specs.ts';
import { equalBytes, zeroize } from '../secret.ts';
import { sameCheck, type BackupCheck, type ComputeCheck } from './backup-entry.ts';
import { writeNewFiles } from '../new-files.ts';

export const SHARE_FORMAT = 'byok-ceremony/share';
export const MAX_SHARES = 16;

export interface ShareFile {
  format: typeof SHARE_FORMAT;
  version: 1;
  keyId: string;
  alias: string | null;
  spec: KeySpecName;
  keyCheck: BackupCheck;
  /** 1..shares, our numbering (the Shamir x-coordinate is inside `share`). */
  index: number;
  threshold: number;
  shares: number;
  /** First 8 hex digits (upper-case) of SHA-256 of this share's bytes: detects a damaged share. */
  shareCheck: string;
  custodian?: string;
  /** The share bytes, base64 (see the comment at the top of this file). */
  share: string;
}

const shareFileSchema = z.object({
  format: z.literal(SHARE_FORMAT),
  version: z.literal(1),
  keyId: z.string().min(1).max(255),
  alias: z.string().max(65_534).nullable(),
  spec: z.enum(KEY_SPEC_NAMES),
  keyCheck: z.object({ kind: z.enum(['kcv', 'fingerprint']), value: z.string().min(1).max(255) }),
  index: z.number().int().min(1).max(MAX_SHARES),
  threshold: z.number().int().min(2).max(MAX_SHARES),
  shares: z.number().int().min(2).max(MAX_SHARES),
  shareCheck: z.string().regex(/^[0-9A-Fa-f]{8}$/),
  custodian: z.string().max(255).optional(),
  share: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/),
});

export function shareCheckOf(share: Uint8Array): string {
  return createHash('sha256').update(share).digest('hex').slice(0, 8).toUpperCase();
}

/** All k-element subsets of [0, n). */
function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick = (start: number, chosen: number[]): void => {
    if (chosen.length === k) {
      out.push([...chosen]);
      return;
    }
    for (let i = start; i <= n - (k - chosen.length); i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}

export interface SplitInput {
  keyId: string;
  alias: string | null;
  spec: KeySpecName;
  check: BackupCheck;
  material: Uint8Array;
  threshold: number;
  shares: number;
  custodians?: string[];
}

/**
 * Splits a key into N shares, any M of which rebuild it, and proves it before returning: every one of
 * the C(N, M) subsets is combined and must give back the exact material (and, when `computeCheck` is
 * given, the key's check value).
 */
export async function splitIntoShares(input: SplitInput, options: { computeCheck?: ComputeCheck } = {}): Promise<ShareFile[]> {
  const { threshold, shares } = input;
  if (!Number.isInteger(threshold) || !Number.isInteger(shares) || threshold < 2 || shares < threshold || shares > MAX_SHARES) {
    throw new ByokError('INVALID_ARGUMENT', `Shares need 2 <= threshold <= shares <= ${MAX_SHARES} (got threshold ${threshold}, shares ${shares}).`);
  }
  if (input.custodians && input.custodians.length !== shares) {
    throw new ByokError('INVALID_ARGUMENT', `Name one custodian per share: ${shares} shares but ${input.custodians.length} custodians.`);
  }
  if (input.material.length === 0) throw new ByokError('INVALID_ARGUMENT', `Key ${input.keyId} has no material to split.`);
  if (options.computeCheck && !sameCheck(options.computeCheck(input.spec, input.material), input.check)) {
    throw new ByokError('BACKUP_MISMATCH', `The material given for key ${input.keyId} does not match its ${input.check.kind}; no shares were made.`);
  }
  const parts = await split(input.material, shares, threshold);
  try {
    for (const subset of subsets(shares, threshold)) {
      const rebuilt = await combine(subset.map((i) => parts[i]!));
      try {
        const matches = equalBytes(rebuilt, input.material) && (!options.computeCheck || sameCheck(options.computeCheck(input.spec, rebuilt), input.check));
        if (!matches) {
          throw new ByokError('INTERNAL', `Shares ${subset.map((i) => i + 1).join(', ')} did not rebuild key ${input.keyId}; no share files were produced. Try again.`);
        }
      } finally {
        zeroize(rebuilt);
      }
    }
    return parts.map((part, i) => ({
      format: SHARE_FORMAT,
      version: 1,
      keyId: input.keyId,
      alias: input.alias,
      spec: input.spec,
      keyCheck: { ...input.check },
      index: i + 1,
      threshold,
      shares,
      shareCheck: shareCheckOf(part),
      ...(input.custodians ? { custodian: input.custodians[i]! } : {}),
      share: Buffer.from(part).toString('base64'),
    }));
  } finally {
    zeroize(...parts);
  }
}

/**
 * Rebuilds a key from share files. Each file is validated; a damaged share, a share of another key or
 * a repeated share is named; fewer than the threshold is SHARES_INSUFFICIENT. The material is returned
 * (the caller zeroes it) only when it reproduces the key's check value.
 */
export async function combineShares(
  files: unknown[],
  options: { computeCheck: ComputeCheck },
): Promise<{ material: Uint8Array; keyId: string; spec: KeySpecName; check: BackupCheck }> {
  const parsed = files.map((file, position) => {
    const result = shareFileSchema.safeParse(file);
    if (!result.success) {
      throw new ByokError('SHARE_INVALID', `Share file ${position + 1} is not a valid share (${result.error.issues[0]?.path.join('.') || 'format'}). Check the file given by its custodian.`, { position: position + 1 });
    }
    return result.data;
  });
  const first = parsed[0];
  if (!first) throw new ByokError('SHARES_INSUFFICIENT', 'No share files were given.');
  const name = (share: (typeof parsed)[number], position: number): string =>
    `share ${share.index} of ${share.shares} (file ${position + 1}${share.custodian ? `, custodian ${share.custodian}` : ''})`;
  // The key most files agree on is the one being restored; any other share is named.
  const votes = new Map<string, number>();
  for (const share of parsed) votes.set(share.keyId, (votes.get(share.keyId) ?? 0) + 1);
  const keyId = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const reference = parsed.find((share) => share.keyId === keyId)!;
  const decoded: Uint8Array[] = [];
  try {
    const seen = new Set<number>();
    for (const [position, share] of parsed.entries()) {
      const sameKey =
        share.keyId === keyId &&
        share.spec === reference.spec &&
        sameCheck(share.keyCheck, reference.keyCheck) &&
        share.threshold === reference.threshold &&
        share.shares === reference.shares;
      if (!sameKey) {
        throw new ByokError('SHARE_INVALID', `${name(share, position)} belongs to key ${share.keyId} (${share.keyCheck.value}), not to key ${keyId} (${reference.keyCheck.value}) like the others. Remove it.`, { position: position + 1 });
      }
      const bytes = new Uint8Array(Buffer.from(share.share, 'base64'));
      decoded.push(bytes);
      if (shareCheckOf(bytes) !== share.shareCheck.toUpperCase()) {
        throw new ByokError('SHARE_INVALID', `${name(share, position)} is damaged: its bytes do not match its share check ${share.shareCheck}. Ask its custodian for an intact copy.`, { position: position + 1 });
      }
      if (seen.has(share.index)) throw new ByokError('SHARE_INVALID', `${name(share, position)} was given twice. Give distinct shares.`, { position: position + 1 });
      seen.add(share.index);
    }
    if (decoded.length < reference.threshold) {
      throw new ByokError('SHARES_INSUFFICIENT', `Key ${keyId} needs ${reference.threshold} shares; only ${decoded.length} were given. Collect more shares from the custodians.`, { keyId });
    }
    const material = await combine(decoded);
    const check = options.computeCheck(reference.spec, material);
    if (!sameCheck(check, reference.keyCheck)) {
      zeroize(material);
      throw new ByokError('SHARE_INVALID', `The shares rebuild a key whose ${reference.keyCheck.kind} is ${check.value}, not ${reference.keyCheck.value}: at least one share was altered. Nothing was restored.`, { keyId });
    }
    return { material, keyId, spec: reference.spec, check: { ...reference.keyCheck } };
  } finally {
    zeroize(...decoded);
  }
}

/** Writes one file per share into `dir`; never overwrites (refuses if any file exists), fsyncs each. */
export async function writeShareFiles(dir: string, files: readonly ShareFile[]): Promise<Array<{ path: string; index: number }>> {
  // One set: every share file appears under its name or none does, so a split killed half-way leaves no
  // share files that a retry would have to refuse (and no custodian is handed a share of an unfinished set).
  const named = files.map((file) => ({ name: `share-${file.keyId}-${file.index}-of-${file.shares}.json`, file }));
  const paths = await writeNewFiles(dir, named.map(({ name, file }) => ({ name, bytes: new TextEncoder().encode(`${JSON.stringify(file, null, 2)}\n`) })), {
    mode: 0o600,
    existsHint: 'Choose another folder or move the old files away.',
  });
  return named.map(({ file }, index) => ({ path: paths[index]!, index: file.index }));
}
