// The durable record of one ceremony run: `<vault>/ceremonies/<ceremonyId>.json`. It is written
// (temp file, fsync, rename, fsync of the folder) before a step's side effects start and again when
// the step is done, so a resumed run knows exactly which steps finished, which keys exist, and which
// one step may have been cut off half-way. The transcript is rendered from it: it holds check values,
// file hashes and names, never material or passphrases.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyCheckValue, OfflineCheckReply } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import type { KeySpecName } from '../../../shared/key-specs.ts';
import type { ProviderId, WrappingAlgorithm } from '../../../shared/providers.ts';
import { replaceFileDurably } from '../vault/durable-file.ts';

export const CEREMONY_STATE_VERSION = 1;
export const CEREMONIES_FOLDER = 'ceremonies';

export type ConfirmationStatus = 'confirmed' | 'refused' | 'unattended';

export interface KeyConfirmation {
  status: ConfirmationStatus;
  /** The witness who typed the value back; null when unattended. */
  witness: string | null;
  /** What was typed, normalised (upper-case hex without spaces); null when unattended. */
  typed: string | null;
  at: string;
}

export interface KeyRecord {
  label: string;
  entryIndex: number;
  slot: number;
  keyId: string;
  alias: string;
  spec: KeySpecName;
  check: KeyCheckValue;
  createdAt: string;
  /** As written in the plan. */
  paramsFile: string;
  provider: ProviderId | null;
  remoteKeyId: string | null;
  confirmation: KeyConfirmation | null;
  backup: { verified: boolean; at: string } | null;
  shares: {
    threshold: number;
    shares: number;
    subsetsVerified: number;
    files: Array<{ index: number; name: string; shareCheck: string; custodian: string | null; sha256: string }>;
  } | null;
  wrap: {
    provider: ProviderId;
    algorithm: WrappingAlgorithm;
    materialExpiry: string;
    /** Paths relative to the plan's output folder. */
    files: Array<{ name: string; sha256: string }>;
    warnings: string[];
  } | null;
}

export interface CeremonyState {
  version: typeof CEREMONY_STATE_VERSION;
  ceremonyId: string;
  rehearsal: boolean;
  unattended: boolean;
  planPath: string;
  planSha256: string;
  planWords: string;
  ceremony: string;
  operator: string;
  witnesses: string[];
  /** As written in the plan (relative), so a rehearsal's transcript reads like the real one. */
  output: string;
  sharesOut: string | null;
  escrowPath: string | null;
  vaultId: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** One per run or resume: each invocation checks again. */
  sessions: Array<{
    kind: 'run' | 'resume';
    at: string;
    offline: OfflineCheckReply;
    allowedOnline: boolean;
    planCheck: { at: string; ok: boolean; sha256: string };
  }>;
  entropy: Array<{ alias: string; spec: KeySpecName; keys: number; healthPassed: boolean; sources: Array<{ kind: string; label: string; bytes: number }> }>;
  /** Step ids, in the order they finished. */
  completed: string[];
  /** The step whose side effects may have started but not finished (set before, cleared after). */
  inProgress: string | null;
  keys: KeyRecord[];
  /** Keys an interrupted generation saved but never reported: left in the vault, not used here. */
  orphanedKeys: Array<{ keyId: string; alias: string; check: string }>;
  escrow: { path: string; keys: number; sha256: string } | null;
  audit: { head: string; events: number; valid: boolean } | null;
}

export function stateFolder(vaultDir: string): string {
  return join(vaultDir, CEREMONIES_FOLDER);
}

export function statePath(vaultDir: string, ceremonyId: string): string {
  if (!/^[A-Za-z0-9-]{1,80}$/.test(ceremonyId)) throw new ByokError('INVALID_ARGUMENT', `${ceremonyId} is not a ceremony id.`);
  return join(stateFolder(vaultDir), `${ceremonyId}.json`);
}

export async function saveState(vaultDir: string, state: CeremonyState): Promise<void> {
  await mkdir(stateFolder(vaultDir), { recursive: true });
  await replaceFileDurably(statePath(vaultDir, state.ceremonyId), Buffer.from(`${JSON.stringify(state, null, 2)}\n`));
}

export async function loadState(vaultDir: string, ceremonyId: string): Promise<CeremonyState> {
  let text: string;
  try {
    text = await readFile(statePath(vaultDir, ceremonyId), 'utf8');
  } catch {
    throw new ByokError('CEREMONY_STATE_INVALID', `No ceremony ${ceremonyId} in ${stateFolder(vaultDir)}. List them with \`byok ceremony list\`.`);
  }
  return parseState(text, ceremonyId);
}

function parseState(text: string, name: string): CeremonyState {
  let state: CeremonyState;
  try {
    state = JSON.parse(text) as CeremonyState;
  } catch {
    throw new ByokError('CEREMONY_STATE_INVALID', `The ceremony state ${name} is not valid JSON; it was damaged outside this app.`);
  }
  if (state.version !== CEREMONY_STATE_VERSION || typeof state.ceremonyId !== 'string' || !Array.isArray(state.completed)) {
    throw new ByokError('CEREMONY_STATE_INVALID', `The ceremony state ${name} has an unknown format (version ${String(state.version)}).`);
  }
  return state;
}

/** Every ceremony recorded in the vault, oldest first. Damaged files are skipped, not fatal. */
export async function listStates(vaultDir: string): Promise<CeremonyState[]> {
  let names: string[];
  try {
    names = (await readdir(stateFolder(vaultDir))).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
  } catch {
    return [];
  }
  const states: CeremonyState[] = [];
  for (const name of names) {
    try {
      states.push(parseState(await readFile(join(stateFolder(vaultDir), name), 'utf8'), name));
    } catch {
      // A damaged record is reported by `ceremony transcript --ceremony ID`, not while listing.
    }
  }
  return states.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.ceremonyId.localeCompare(b.ceremonyId));
}
