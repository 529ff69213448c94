// The use cases as one service object: composed here once, called by the CLI, the IPC handlers and
// the ceremony runner alike. Each method delegates to one file in ./use-cases.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BundleVerifyReply, CeremonyService, OperatorContext, PlanCheckSummary } from '../../shared/ceremony-api.ts';
import { recordRefusal } from './use-cases/refusals.ts';
import { ByokError } from '../../shared/errors.ts';
import { AuditLog } from './audit/index.ts';
import { BackupStore, osKeychain, type Keychain } from './backup/index.ts';
import { isoUtc, systemClock, type Clock } from './clock.ts';
import { computeKeyCheck } from './keys/index.ts';
import { checkOffline } from './offline-check.ts';
import { equalBytes } from './secret.ts';
import { Vault } from './vault/index.ts';
import { verifyBundle } from './wrap/index.ts';
import { parseIsoInstant } from './wrap/timestamps.ts';
import { acceptAuditLoss, recordAuditHead, recordedAuditHead, refuseShortenedLog } from './use-cases/audit-head-record.ts';
import { operatorFields } from './use-cases/validation.ts';
import { trustedSigners } from './kms/sync/trusted-signers.ts';
import { reconcile, rebuildVault, restoreBackup, verifyBackups } from './use-cases/backups.ts';
import { ceremonyKeyExists, ceremonyKeyStatus, isCeremonyKeyUnavailable, loadPinnedCeremonyKey, trustedCeremonyPublicKey } from './use-cases/ceremony-signer.ts';
import type { CeremonySigner, CoreContext } from './use-cases/context.ts';
import { generateAndWrapKeys } from './use-cases/generate-and-wrap.ts';
import { generateKeys, type GenerateOptions } from './use-cases/generate-keys.ts';
import { eventMentionsKey, listKeys, requireKey, summarizeEvent } from './use-cases/key-queries.ts';
import { combineShareFiles, restoreEscrow, splitShares, writeEscrow, type EscrowRestoreReply } from './use-cases/shares-and-escrow.ts';
import { inspectParams, wrapKey, wrapRequestFile } from './use-cases/wrap-key.ts';
import { checkPlanFile, type PlanCheckReport } from './plan/index.ts';
import { exportAudit } from './use-cases/audit-export.ts';
import { createConnectedServices } from './kms/connected-service.ts';

export interface CeremonyServiceOptions {
  vaultDir: string;
  /** Create the vault when the folder holds none. */
  create?: boolean;
  clock?: Clock;
  /** The keychain namespace. Default: one per vault; rehearsals use a throwaway one. */
  keychainService?: string;
  /** For tests: a keychain other than the OS one (fault injection). */
  keychain?: Keychain;
  /** Open for `vault rebuild`: a damaged or missing database is moved aside and recreated empty. */
  rebuild?: { vaultId?: string };
  /** `byok audit accept-loss`: the recorded event the operator confirms is gone from the log (see audit-head-record.ts). */
  acceptAuditLoss?: { event: number; operator?: string; witnesses?: string[] };
}

export interface CoreCeremonyService extends CeremonyService {
  /** Generation with per-batch "saved" callbacks, for the CLI's streaming output. */
  generateKeys(request: Parameters<CeremonyService['generateKeys']>[0], options?: GenerateOptions): ReturnType<CeremonyService['generateKeys']>;
  /**
   * Restores keys from an escrow file (a new machine after a loss). CLI only for now: the passphrase
   * would have to cross IPC, and the app has no restore screen for it yet.
   */
  escrowRestore(request: { path: string; passphrase: string } & OperatorContext): Promise<EscrowRestoreReply>;
}

export function keychainServiceFor(vaultId: string): string {
  return `byok-ceremony/${vaultId}`;
}

/** Opens the vault, its audit log and keychain backups: the context every use case works with. */
export async function openCoreContext(options: CeremonyServiceOptions): Promise<CoreContext> {
  const clock = options.clock ?? systemClock;
  const vault = await Vault.open(options.vaultDir, { clock, create: options.create ?? false, ...(options.rebuild ? { rebuild: options.rebuild } : {}) });
  let audit: AuditLog;
  try {
    audit = await AuditLog.open(options.vaultDir, { clock });
  } catch (error) {
    await vault.close();
    throw error;
  }
  try {
    // A log shorter than the database records (deleted, cut short, replaced) is refused before anything
    // is appended to it; from here on every save records the log's head.
    if (options.acceptAuditLoss) await acceptAuditLoss(vault, audit, options.acceptAuditLoss.event, operatorFields(options.acceptAuditLoss));
    else refuseShortenedLog(vault, audit);
  } catch (error) {
    await audit.close();
    await vault.close();
    throw error;
  }
  vault.onBeforeSave(() => recordAuditHead(vault, audit));
  const keychain = options.keychain ?? osKeychain(options.keychainService ?? keychainServiceFor(vault.id));
  const backups = new BackupStore({ keychain, computeCheck: computeKeyCheck, clock });
  let signer: Promise<CeremonySigner> | undefined;
  const context: CoreContext = {
    vault,
    audit,
    keychain,
    backups,
    clock,
    // A failed load is not cached: the keychain may be unlocked and the call retried.
    signer: () =>
      (signer ??= loadPinnedCeremonyKey({ vault, audit, keychain }).catch((error: unknown) => {
        signer = undefined;
        throw error;
      })),
  };
  // Only a log that is really empty starts with vault.created (a damaged last line also reads as no event).
  if (audit.count() === 0 && !audit.tailBroken) await audit.append({ type: 'vault.created', data: { vaultId: vault.id } });
  return context;
}

export async function createCeremonyService(options: CeremonyServiceOptions): Promise<CoreCeremonyService> {
  const context = await openCoreContext(options);
  const { vault, audit, clock } = context;
  const seqAtOpen = audit.lastSeq;
  const connected = createConnectedServices(context);

  const service: CoreCeremonyService = {
    ...connected,
    vaultInfo: async () => {
      // Shown, never created or saved here: a vault that has not signed yet has none.
      const ceremonyKey = await ceremonyKeyStatus(context);
      return {
        vaultId: vault.id,
        dir: vault.dir,
        keys: vault.keys.count(),
        ceremonyPublicKey: ceremonyKey.publicKey ? Buffer.from(ceremonyKey.publicKey).toString('base64') : null,
        ceremonyKeyProblem: ceremonyKey.problem,
        reconciliation: await reconcile(context),
      };
    },
    reconcile: async () => reconcile(context),
    generateKeys: async (request, runOptions) => {
      if (request.wrap) return generateAndWrapKeys(context, { ...request, wrap: request.wrap }, runOptions);
      // Only what the contract names leaves the core.
      const { keys, entropy } = await generateKeys(context, request, runOptions);
      return { keys, entropy };
    },
    listKeys: async (filter) => listKeys(context, filter),
    keyHistory: async (keyId) => {
      const record = requireKey(context, keyId);
      return { events: audit.list().filter((event) => eventMentionsKey(event.data, record.id)).map(summarizeEvent) };
    },
    inspectParams: (request) => inspectParams(context, request),
    wrap: (request, runOptions) => wrapKey(context, request, runOptions),
    wrapAll: (request, runOptions) => wrapRequestFile(context, request, runOptions),
    verifyBundle: async (request) => {
      // Verifying needs no keychain (the vault's recorded public key is enough) and never creates a key.
      // A vault that has a key of its own or trusts another vault's refuses any other signer; with neither,
      // "signed by this vault" is simply not claimed and the signer is shown for comparison.
      const own = await trustedCeremonyPublicKey(context, { lenient: true });
      return verifyBundleFile(request.path, own ?? undefined, trustedSigners(context.vault).map((signer) => signer.publicKey));
    },
    backupVerify: (request, runOptions) => verifyBackups(context, request, runOptions),
    backupRestore: (request) => restoreBackup(context, request),
    vaultRebuild: (request) => rebuildVault(context, request),
    sharesSplit: (request) => splitShares(context, request),
    sharesCombine: (request) => combineShareFiles(context, request),
    escrowWrite: (request) => writeEscrow(context, request),
    escrowRestore: (request) => restoreEscrow(context, request),
    auditVerify: async () => {
      // Null only for a vault that never signed: it has no checkpoint to hold to a key.
      const trusted = await trustedCeremonyPublicKey(context);
      const recordedHead = recordedAuditHead(vault);
      return audit.verify({ ...(trusted ? { trustedPublicKey: trusted } : {}), ...(recordedHead ? { recordedHead } : {}) });
    },
    auditList: async (filter = {}) => {
      const events = audit.list().filter((event) => !filter.keyId || eventMentionsKey(event.data, filter.keyId));
      return { events: events.slice(-(filter.limit ?? 500)).map(summarizeEvent) };
    },
    auditExport: async (request) => {
      await signCheckpoint(context, -1, { strict: true }); // the transcript's chain head is a signed one
      return exportAudit(context, request);
    },
    offlineCheck: () => checkOffline(clock),
    planCheck: async (request) => planCheckSummary(await checkPlanFile(request.path, { at: planTime(request.at, clock) })),
    recordCeremonyStep: async (record) => {
      const { operator, witnesses, ...data } = record;
      const event = await audit.append({ type: 'ceremony.step', ...(operator ? { operator } : {}), ...(witnesses?.length ? { witnesses } : {}), data: { ...data, detail: data.detail ?? null } });
      return { seq: event.seq, hash: event.hash };
    },
    close: async () => {
      try {
        await connected.close();
        await signCheckpoint(context, seqAtOpen);
      } finally {
        try {
          await audit.close();
        } finally {
          await vault.close();
        }
      }
    },
  };
  return recordingRefusals(context, service);
}

/** Operations whose refusals belong in the audit log ("every refusal"); pure reads are left out. */
const RECORDED_OPERATIONS = [
  'generateKeys', 'inspectParams', 'wrap', 'wrapAll', 'verifyBundle', 'backupVerify', 'backupRestore', 'vaultRebuild', 'sharesSplit',
  'sharesCombine', 'escrowWrite', 'escrowRestore', 'auditExport', 'providerAdd', 'providerRemove', 'sync', 'remoteCreateKey', 'remoteParams',
  'importBundle', 'renewKey', 'deleteMaterial', 'recordCeremonyStep',
] as const satisfies ReadonlyArray<keyof CoreCeremonyService>;

function recordingRefusals(context: CoreContext, service: CoreCeremonyService): CoreCeremonyService {
  const recorded = { ...service } as Record<string, unknown>;
  for (const name of RECORDED_OPERATIONS) {
    const operation = service[name] as (request: OperatorContext, ...rest: unknown[]) => Promise<unknown>;
    recorded[name] = async (request: OperatorContext, ...rest: unknown[]) => {
      try {
        return await operation(request, ...rest);
      } catch (error) {
        await recordRefusal(context, name, error, typeof request === 'object' && request !== null ? request : {});
        throw error;
      }
    };
  }
  return recorded as unknown as CoreCeremonyService;
}

/**
 * Signs the chain head with the vault's ceremony key when this session added events, so that removing
 * events from the end of the log is detectable too. At close, skipped (not failed) when the keychain is
 * unavailable or no longer holds the vault's key (the commands that sign say so): the events themselves
 * are already durable. `strict` (a transcript promises a signed head) passes those errors on.
 */
async function signCheckpoint(context: CoreContext, seqAtOpen: number, options: { strict?: boolean } = {}): Promise<void> {
  if (context.audit.lastSeq <= seqAtOpen) return;
  if (context.audit.list({ limit: 1 })[0]?.type === 'checkpoint') return;
  let signer: CeremonySigner;
  try {
    // At close, a vault that never signed and has no key is not given one just to sign a checkpoint
    // (e.g. after a refused `bundle verify`); its events are checkpointed when it first signs.
    if (!options.strict && !(await ceremonyKeyExists(context))) return;
    signer = await context.signer();
  } catch (error) {
    if (isCeremonyKeyUnavailable(error) && !options.strict) return;
    throw error;
  }
  await context.audit.checkpoint(signer);
}

/** Verifies a bundle and its provider-native files beside it; works with or without a vault. */
export async function verifyBundleFile(path: string, trustedPublicKey?: Uint8Array, otherTrustedSigners: readonly string[] = []): Promise<BundleVerifyReply> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new ByokError('FILE_NOT_FOUND', `Cannot read the bundle ${path}. Check the path.`);
  }
  const { bundle } = verifyBundle(bytes, { checkFilesIn: dirname(path) });
  const signedByThisVault = trustedPublicKey !== undefined && equalBytes(Buffer.from(bundle.signature.publicKey, 'base64'), trustedPublicKey);
  if (!signedByThisVault && (trustedPublicKey !== undefined || otherTrustedSigners.length > 0) && !otherTrustedSigners.includes(bundle.signature.publicKey)) {
    throw new ByokError(
      'BUNDLE_SIGNER_UNTRUSTED',
      `The bundle's signature is valid, but by ceremony key ${bundle.signature.publicKey}, which is neither this vault's ceremony key nor one it trusts. Do not import it unless you have compared that key with the one \`byok vault info\` shows on the vault that made it.`,
      { signerPublicKey: bundle.signature.publicKey },
    );
  }
  return {
    valid: true,
    keyId: bundle.keyId,
    alias: bundle.alias ?? '',
    spec: bundle.spec,
    check: bundle.check,
    provider: bundle.provider,
    algorithm: bundle.algorithm,
    signerPublicKey: bundle.signature.publicKey,
    signedByThisVault,
  };
}

/** `at` of a plan check: an ISO-8601 time with a zone (deadlines are checked against it); default now. */
function planTime(at: string | undefined, clock: Clock): Date {
  if (at === undefined) return clock.now();
  // The same reading as every deadline: an impossible date (Feb 30) is refused, not rolled over.
  const date = parseIsoInstant(at);
  if (date === null) throw new ByokError('INVALID_ARGUMENT', `${at} is not a valid ISO-8601 time with a zone, e.g. 2026-12-01T09:00:00Z.`);
  return date;
}

/** The plan module's report as metadata for the app: the same model `byok plan check --json` prints. */
export function planCheckSummary(report: PlanCheckReport): PlanCheckSummary {
  const plan = report.plan;
  const shares = plan?.backup.shares;
  return {
    planPath: report.planPath,
    ok: report.ok,
    sha256: report.sha256,
    words: report.words,
    checkedAt: report.checkedAt,
    ceremony: plan?.ceremony ?? null,
    operator: plan?.operator ?? null,
    witnesses: plan?.witnesses ?? [],
    confirmations: plan?.confirmations ?? null,
    keys: report.slots.map((slot) => ({
      alias: slot.alias,
      label: slot.label,
      spec: slot.spec,
      count: plan?.keys[slot.entryIndex]?.count ?? 1,
      description: slot.description,
      paramsFile: slot.paramsFile,
      paramsPath: slot.paramsPath,
      provider: slot.params?.provider ?? null,
      algorithm: slot.params?.algorithm ?? slot.algorithm,
      materialExpiry: expiryOf(slot.materialExpiry),
      outDir: slot.outDir,
    })),
    output: report.output,
    backup: plan
      ? {
          keychain: plan.backup.keychain,
          split: shares ? { threshold: shares.threshold, total: shares.shares, custodians: shares.custodians ?? null, folder: report.sharesOut } : null,
          escrowPath: report.escrowPath,
        }
      : null,
    problems: report.problems.map((problem) => ({
      ...(problem.line !== undefined ? { line: problem.line } : {}),
      ...(problem.column !== undefined ? { column: problem.column } : {}),
      path: problem.path,
      code: problem.code,
      message: problem.message,
    })),
  };
}

/** null = never; a plan time without seconds is given with them. (An impossible date is a plan problem already.) */
function expiryOf(value: string | null): string | null {
  if (value === null || value === 'never') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : isoUtc(date);
}
