// `byok plan check`: everything about a plan that can be known before the ceremony. Problems are
// collected, not thrown, so reviewers see all of them at once; each names its rule and, where it
// comes from a line of the plan, that line.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ByokError, isByokError } from '../../../shared/errors.ts';
import type { KeySpecName } from '../../../shared/key-specs.ts';
import type { WrappingAlgorithm } from '../../../shared/providers.ts';
import { isoUtc } from '../clock.ts';
import { checkParamsFile, type ParamsBrief } from './params-files.ts';
import { parsePlanText, type PlanSource } from './parse-plan.ts';
import { formatPlanPath, type PlanPath, type PlanProblem, type PlanProblemCode } from './plan-problem.ts';
import type { Plan } from './plan-schema.ts';
import { hexToPgpWords } from './pgp-words.ts';

export const MAX_SHARES = 16;

/** One key the ceremony will generate: a plan entry with count N gives N slots. */
export interface KeySlot {
  entryIndex: number;
  /** 0-based position within the entry. */
  slot: number;
  alias: string;
  /** The alias, or alias-N when the entry has several keys: names the key's output folders. */
  label: string;
  spec: KeySpecName;
  description: string | null;
  /** As written in the plan, and resolved against the plan's folder. */
  paramsFile: string;
  paramsPath: string;
  algorithm: WrappingAlgorithm | null;
  materialExpiry: string | null;
  outDir: string;
  sharesDir: string | null;
  params: ParamsBrief | null;
}

export interface PlanCheckReport {
  planPath: string;
  sha256: string;
  /** The SHA-256 as PGP words, to be read aloud. */
  words: string;
  checkedAt: string;
  plan: Plan | null;
  slots: KeySlot[];
  output: string | null;
  sharesOut: string | null;
  escrowPath: string | null;
  problems: PlanProblem[];
  ok: boolean;
}

export interface PlanCheckOptions {
  /** When the plan will run; deadlines are checked against it. Default: now. */
  at?: Date;
  /** A resumed ceremony has already written into its output folders and escrow path. */
  resuming?: boolean;
  /** A rehearsal replaces the params files with stand-ins; the real ones need only parse. */
  rehearsal?: boolean;
}

export async function readPlanFile(planPath: string): Promise<Buffer> {
  try {
    return await readFile(planPath);
  } catch {
    throw new ByokError('FILE_NOT_FOUND', `Cannot read the plan file ${planPath}. Check the path.`);
  }
}

export function planSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function checkPlanFile(planPath: string, options: PlanCheckOptions = {}): Promise<PlanCheckReport> {
  const absolute = resolve(planPath);
  return checkPlanBytes(await readPlanFile(absolute), absolute, options);
}

export async function checkPlanBytes(bytes: Uint8Array, planPath: string, options: PlanCheckOptions = {}): Promise<PlanCheckReport> {
  const at = options.at ?? new Date();
  const sha256 = planSha256(bytes);
  const { plan, problems, source } = parsePlanText(Buffer.from(bytes).toString('utf8'));
  const report: PlanCheckReport = {
    planPath,
    sha256,
    words: hexToPgpWords(sha256),
    checkedAt: isoUtc(at),
    plan: plan ?? null,
    slots: [],
    output: null,
    sharesOut: null,
    escrowPath: null,
    problems,
    ok: false,
  };
  if (plan === undefined) return report;

  const folder = dirname(planPath);
  const add = (path: PlanPath, code: PlanProblemCode, message: string): void => {
    problems.push({ ...source.locate(path), path: formatPlanPath(path), code, message });
  };
  report.output = resolve(folder, plan.output);
  report.sharesOut = plan.backup.shares ? resolve(folder, plan.backup.shares.out ?? `${plan.output}/shares`) : null;
  report.escrowPath = plan.backup.escrow ? resolve(folder, plan.backup.escrow.path) : null;

  checkPeople(plan, add);
  checkBackupPolicy(plan, add);
  report.slots = slotsOf(plan, folder, report, add);
  await checkParamsFiles(report.slots, plan, at, options, add);
  if (!options.resuming) await checkDestinations(plan, report, add);

  report.ok = problems.length === 0;
  return report;
}

type AddProblem = (path: PlanPath, code: PlanProblemCode, message: string) => void;

function checkPeople(plan: Plan, add: AddProblem): void {
  if (plan.confirmations === 'witness' && plan.witnesses.length === 0) {
    add(['witnesses'], 'WITNESS_REQUIRED', "a witnessed ceremony needs at least one witness; name them, or set 'confirmations: none' for an unattended run");
  }
}

function checkBackupPolicy(plan: Plan, add: AddProblem): void {
  if (!plan.backup.keychain) {
    add(['backup', 'keychain'], 'KEYCHAIN_REQUIRED', 'the keychain backup cannot be turned off: a key without a backup must never exist; set keychain: true');
  }
  const shares = plan.backup.shares;
  if (shares) {
    if (shares.shares < 2 || shares.shares > MAX_SHARES) {
      add(['backup', 'shares', 'shares'], 'SHARES_INVALID', `shares must be between 2 and ${MAX_SHARES}; it is ${shares.shares}`);
    }
    if (shares.threshold < 2 || shares.threshold > shares.shares) {
      add(['backup', 'shares', 'threshold'], 'SHARES_INVALID', `threshold must be at least 2 and at most shares (${shares.shares}); it is ${shares.threshold}`);
    }
    if (shares.custodians && shares.custodians.length !== shares.shares) {
      add(['backup', 'shares', 'custodians'], 'CUSTODIANS_MISMATCH', `${shares.custodians.length} custodians named for ${shares.shares} shares; name one custodian per share`);
    }
  }
}

function slotsOf(plan: Plan, folder: string, report: PlanCheckReport, add: AddProblem): KeySlot[] {
  const slots: KeySlot[] = [];
  const aliases = new Map<string, number>();
  plan.keys.forEach((entry, entryIndex) => {
    const earlier = aliases.get(entry.alias);
    if (earlier !== undefined) add(['keys', entryIndex, 'alias'], 'DUPLICATE_ALIAS', `alias '${entry.alias}' is already used by keys[${earlier}]; give each group its own alias`);
    aliases.set(entry.alias, entryIndex);

    const files = typeof entry.params === 'string' ? [entry.params] : entry.params;
    if (files.length !== entry.count) {
      add(['keys', entryIndex, 'params'], 'PARAMS_COUNT_MISMATCH', `${entry.count} keys need ${entry.count} import-parameters files (one per remote key: a KMS key takes one material); ${files.length} given`);
    }
    for (let slot = 0; slot < entry.count; slot++) {
      const label = entry.count === 1 ? entry.alias : `${entry.alias}-${slot + 1}`;
      const paramsFile = files[Math.min(slot, files.length - 1)]!;
      slots.push({
        entryIndex,
        slot,
        alias: entry.alias,
        label,
        spec: entry.spec,
        description: entry.description ?? null,
        paramsFile,
        paramsPath: resolve(folder, paramsFile),
        algorithm: entry.algorithm ?? null,
        materialExpiry: entry.materialExpiry ?? null,
        outDir: resolve(report.output!, label),
        sharesDir: report.sharesOut ? resolve(report.sharesOut, label) : null,
        params: null,
      });
    }
  });
  return slots;
}

function paramsPathOf(plan: Plan, slot: KeySlot): PlanPath {
  return typeof plan.keys[slot.entryIndex]?.params === 'string' ? ['keys', slot.entryIndex, 'params'] : ['keys', slot.entryIndex, 'params', slot.slot];
}

async function checkParamsFiles(slots: KeySlot[], plan: Plan, at: Date, options: PlanCheckOptions, add: AddProblem): Promise<void> {
  const remoteKeys = new Map<string, KeySlot>();
  for (const slot of slots) {
    const where = paramsPathOf(plan, slot);
    try {
      slot.params = await checkParamsFile({
        path: slot.paramsPath,
        spec: slot.spec,
        at,
        ...(slot.algorithm ? { algorithm: slot.algorithm } : {}),
        ...(slot.materialExpiry ? { materialExpiry: slot.materialExpiry } : {}),
        ...(options.rehearsal ? { ignoreDeadline: true } : {}),
      });
    } catch (error) {
      if (!isByokError(error)) throw error;
      if (error.code === 'INVALID_ARGUMENT') {
        // The wrap core's message speaks of --algorithm; in a plan the choice is the key's algorithm field.
        add(where, 'ALGORITHM_UNDECIDED', `${slot.paramsFile}: ${error.message.replace(/pass --algorithm|Drop --algorithm/, "set the key's algorithm in the plan")}`);
      } else add(where, error.code === 'FILE_NOT_FOUND' ? 'PARAMS_NOT_FOUND' : error.code, `${slot.paramsFile}: ${error.message}`);
      continue;
    }
    const remoteKeyId = slot.params.remoteKeyId;
    if (remoteKeyId === null) continue;
    const identity = `${slot.params.provider}:${remoteKeyId}`;
    const other = remoteKeys.get(identity);
    if (other) {
      add(where, 'PARAMS_DUPLICATE_REMOTE_KEY', `${slot.paramsFile} is for remote key ${remoteKeyId}, as is ${other.paramsFile} (${other.label}); a KMS key takes exactly one material`);
    } else remoteKeys.set(identity, slot);
  }
}

async function checkDestinations(plan: Plan, report: PlanCheckReport, add: AddProblem): Promise<void> {
  const outputState = await folderState(report.output!);
  if (outputState !== 'absent' && outputState !== 'empty') {
    add(['output'], 'OUTPUT_NOT_EMPTY', `${report.output} ${outputState === 'file' ? 'is a file' : 'is not empty'}; outputs are never overwritten: choose a new folder or empty this one`);
  }
  if (report.sharesOut && plan.backup.shares?.out !== undefined) {
    const sharesState = await folderState(report.sharesOut);
    if (sharesState !== 'absent' && sharesState !== 'empty') {
      add(['backup', 'shares', 'out'], 'OUTPUT_NOT_EMPTY', `${report.sharesOut} ${sharesState === 'file' ? 'is a file' : 'is not empty'}; share files are never overwritten`);
    }
  }
  if (report.escrowPath && (await exists(report.escrowPath))) {
    add(['backup', 'escrow', 'path'], 'ESCROW_EXISTS', `${report.escrowPath} already exists; an escrow file is never overwritten: choose a new path`);
  }
}

async function folderState(path: string): Promise<'absent' | 'empty' | 'not-empty' | 'file'> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return 'file';
    return (await readdir(path)).length === 0 ? 'empty' : 'not-empty';
  } catch {
    return 'absent';
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
