// What each step of a planned ceremony does, one runner per step kind (see ceremony-steps.ts for the
// order). Each runner records its outcome in the state and the audit log; run-ceremony.ts saves the
// state around it and marks it completed.
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { CeremonyStepRecord } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import { isProviderId, isWrappingAlgorithm } from '../../../shared/providers.ts';
import { shareCheckOf } from '../backup/shares.ts';
import { isoUtc, type Clock } from '../clock.ts';
import type { KeySlot, Plan, PlanCheckReport } from '../plan/index.ts';
import type { CeremonyStep } from './ceremony-steps.ts';
import type { CeremonyState, KeyRecord } from './ceremony-state.ts';
import { fileSha256, moveAside, recordedBundles, recordedEscrows, recordedEvents, recordedSplits, stepFolderFiles } from './recorded-outputs.ts';
import type { RunCeremonyOptions } from './run-ceremony.ts';
import { checkName, checkValueMatches, displayCheckValue, normaliseCheckValue } from './witness-check.ts';

const MAX_PASSPHRASE_ATTEMPTS = 3;

export interface StepContext {
  options: RunCeremonyOptions;
  plan: Plan;
  report: PlanCheckReport;
  state: CeremonyState;
  save(): Promise<void>;
  record(step: string, status: CeremonyStepRecord['status'], extra?: { keyId?: string; detail?: CeremonyStepRecord['detail'] }): Promise<void>;
  say(line: string): void;
  clock: Clock;
  unattended: boolean;
}

type StepRunner = (context: StepContext, step: CeremonyStep, interrupted: boolean) => Promise<void>;

function slotOf(context: StepContext, label: string): KeySlot {
  const slot = context.report.slots.find((candidate) => candidate.label === label);
  if (!slot) throw new ByokError('CEREMONY_STATE_INVALID', `The plan has no key ${label}; the state file does not belong to this plan.`);
  return slot;
}

function keyOf(context: StepContext, label: string): KeyRecord {
  const key = context.state.keys.find((candidate) => candidate.label === label);
  if (!key) throw new ByokError('CEREMONY_STATE_INVALID', `Key ${label} was not generated in ceremony ${context.state.ceremonyId}; the state file is damaged.`);
  return key;
}

/** A key refused at read-back goes no further; its later steps are recorded as skipped. */
async function skipIfRefused(context: StepContext, step: CeremonyStep, key: KeyRecord): Promise<boolean> {
  if (key.confirmation?.status !== 'refused') return false;
  await context.record(step.id, 'skipped', { keyId: key.keyId, detail: { reason: 'check value not confirmed by the witness' } });
  return true;
}

/**
 * Before a cut-off step is redone: files in its folder that no record mentions were never reported, so
 * they are moved aside (renamed, never deleted) and noted. A recorded file that is present while its set
 * is not (someone removed or changed a file) stops the resume: it must not be replaced.
 */
async function setAsideUnrecorded(context: StepContext, step: CeremonyStep, unrecorded: readonly string[], keyId?: string): Promise<void> {
  if (unrecorded.length === 0) return;
  const moved = await moveAside(unrecorded, context.clock.now());
  const base = context.report.output ?? '';
  await context.record(step.id, 'skipped', {
    ...(keyId ? { keyId } : {}),
    detail: { movedAside: moved.map((path) => relative(base, path) || path).join(','), reason: 'written by the interrupted step but never recorded' },
  });
}

function recordedButIncomplete(what: string, files: readonly string[], seq: number): ByokError {
  return new ByokError(
    'OUTPUT_EXISTS',
    `${files.join(', ')} ${files.length === 1 ? 'is' : 'are'} recorded in the audit log (event ${seq}) as ${what}, but the rest of that output is missing or changed on disk. Recorded outputs are never replaced: restore the missing files from a copy (or move the folder away yourself), then \`byok ceremony resume\` again.`,
    { files: [...files] },
  );
}

/** Adopts the key's recorded bundle when its files are on disk byte for byte; otherwise sets unrecorded files aside. */
async function resumeWrap(context: StepContext, step: CeremonyStep, key: KeyRecord, outDir: string, materialExpiry: string): Promise<boolean> {
  const bundles = recordedBundles(await recordedEvents(context.options.vaultDir), key.keyId);
  const names = await stepFolderFiles(outDir);
  const onDisk = new Map<string, string | null>();
  for (const name of names) onDisk.set(name, await fileSha256(join(outDir, name)));
  const whole = bundles.find((bundle) => bundle.files.every((file) => onDisk.get(file.name) === file.sha256));
  const provider = whole?.event.data.provider;
  const algorithm = whole?.event.data.algorithm;
  if (whole && typeof provider === 'string' && isProviderId(provider) && typeof algorithm === 'string' && isWrappingAlgorithm(algorithm)) {
    const kept = new Set(whole.files.map((file) => file.name));
    await setAsideUnrecorded(context, step, names.filter((name) => !kept.has(name)).map((name) => join(outDir, name)), key.keyId);
    const warnings = await expiredWhileInterrupted(join(outDir, 'bundle.json'), key, context.clock.now());
    key.provider = provider;
    key.wrap = {
      provider,
      algorithm,
      materialExpiry,
      files: whole.files.map((file) => ({ name: relative(context.report.output!, join(outDir, file.name)), sha256: file.sha256 })),
      warnings,
    };
    context.say(`Wrapped ${key.label} for ${provider} with ${algorithm}: ${whole.files.map((file) => file.name).join(', ')} (written before the interruption, recorded in audit event ${whole.event.seq}; kept as is).`);
    for (const warning of warnings) context.say(`Warning: ${warning}`);
    await context.record(step.id, 'done', {
      keyId: key.keyId,
      detail: { provider, algorithm, files: key.wrap.files.map((file) => `${file.name}=${file.sha256}`).join(','), adoptedFromEvent: whole.event.seq },
    });
    return true;
  }
  const recorded = new Set(bundles.flatMap((bundle) => bundle.files.map((file) => `${file.name}\u0000${file.sha256}`)));
  const mentioned = names.filter((name) => recorded.has(`${name}\u0000${onDisk.get(name)}`));
  if (mentioned.length > 0) throw recordedButIncomplete(`the bundle of ${key.label}`, mentioned.map((name) => join(outDir, name)), bundles[0]!.event.seq);
  await setAsideUnrecorded(context, step, names.map((name) => join(outDir, name)), key.keyId);
  return false;
}

/**
 * The adopted bundle was wrapped under the parameters of its time. When they have expired since (the
 * operator fetched fresh parameter files to resume), it is kept — a recorded output is never replaced —
 * and the run says it cannot be imported as it is.
 */
async function expiredWhileInterrupted(bundlePath: string, key: KeyRecord, now: Date): Promise<string[]> {
  let validTo: unknown;
  try {
    validTo = (JSON.parse(await readFile(bundlePath, 'utf8')) as { parametersValidTo?: unknown }).parametersValidTo;
  } catch {
    return [];
  }
  if (typeof validTo !== 'string' || Date.parse(validTo) > now.getTime()) return [];
  return [`The import parameters of ${key.label}'s bundle expired at ${validTo} (UTC) while the ceremony was interrupted, so the KMS will refuse it. It is kept as recorded; wrap the key again into a new folder with fresh parameters (\`byok wrap --key ${key.keyId} --params FILE --out DIR\`).`];
}

interface ShareOnDisk {
  name: string;
  path: string;
  index: number | null;
  shareCheck: string | null;
  custodian: string | null;
  sha256: string | null;
}

/** A share file's index and its check, recomputed from its bytes (null when it is not one of this key's). */
async function readShareOnDisk(folder: string, name: string, keyId: string): Promise<ShareOnDisk> {
  const path = join(folder, name);
  const sha256 = await fileSha256(path);
  const unknown = { name, path, index: null, shareCheck: null, custodian: null, sha256 };
  if (sha256 === null) return unknown;
  try {
    const file = JSON.parse(await readFile(path, 'utf8')) as { keyId?: unknown; index?: unknown; share?: unknown; shareCheck?: unknown; custodian?: unknown };
    if (file.keyId !== keyId || typeof file.index !== 'number' || typeof file.share !== 'string' || typeof file.shareCheck !== 'string') return unknown;
    const check = shareCheckOf(new Uint8Array(Buffer.from(file.share, 'base64')));
    if (check !== file.shareCheck.toUpperCase()) return unknown; // damaged: its bytes are not the share it claims
    return { name, path, index: file.index, shareCheck: check, custodian: typeof file.custodian === 'string' ? file.custodian : null, sha256 };
  } catch {
    return unknown;
  }
}

/** Adopts the key's recorded split when every one of its share files is on disk intact; otherwise sets unrecorded files aside. */
async function resumeShares(context: StepContext, step: CeremonyStep, key: KeyRecord, sharesDir: string, policy: { threshold: number; shares: number }): Promise<boolean> {
  const splits = recordedSplits(await recordedEvents(context.options.vaultDir), key.keyId);
  const onDisk = await Promise.all((await stepFolderFiles(sharesDir)).map((name) => readShareOnDisk(sharesDir, name, key.keyId)));
  const byIndex = (index: number, check: string) => onDisk.find((share) => share.index === index && share.shareCheck === check);
  const whole = splits.find((split) => split.threshold === policy.threshold && split.shares === policy.shares && split.shareChecks.length === split.shares && split.shareChecks.every((check, position) => byIndex(position + 1, check)));
  if (whole) {
    const files = whole.shareChecks.map((check, position) => byIndex(position + 1, check)!);
    const kept = new Set(files.map((file) => file.name));
    await setAsideUnrecorded(context, step, onDisk.filter((share) => !kept.has(share.name)).map((share) => share.path), key.keyId);
    key.shares = {
      threshold: whole.threshold,
      shares: whole.shares,
      subsetsVerified: whole.subsetsVerified,
      files: files.map((file) => ({ index: file.index!, name: relative(context.report.sharesOut!, file.path), shareCheck: file.shareCheck!, custodian: file.custodian, sha256: file.sha256! })),
    };
    context.say(`Shares of ${key.label}: ${whole.threshold} of ${whole.shares} written before the interruption (audit event ${whole.event.seq}); kept as they are.`);
    await context.record(step.id, 'done', {
      keyId: key.keyId,
      detail: { threshold: whole.threshold, shares: whole.shares, subsetsVerified: whole.subsetsVerified, shareChecks: whole.shareChecks.join(','), adoptedFromEvent: whole.event.seq },
    });
    return true;
  }
  const mentioned = onDisk.filter((share) => share.index !== null && splits.some((split) => split.shareChecks[share.index! - 1] === share.shareCheck));
  if (mentioned.length > 0) throw recordedButIncomplete(`shares of ${key.label}`, mentioned.map((share) => share.path), splits[0]!.event.seq);
  await setAsideUnrecorded(context, step, onDisk.map((share) => share.path), key.keyId);
  return false;
}

/** Adopts the recorded escrow file when it is on disk byte for byte for these keys; otherwise sets an unrecorded one aside. */
async function resumeEscrow(context: StepContext, step: CeremonyStep, path: string, keyIds: readonly string[]): Promise<boolean> {
  const sha256 = await fileSha256(path);
  const present = await lstat(path).then(() => true, () => false);
  if (!present) return false;
  const escrows = recordedEscrows(await recordedEvents(context.options.vaultDir), basename(path)).filter((escrow) => escrow.sha256 === sha256);
  const wanted = [...keyIds].sort().join(',');
  const whole = escrows.find((escrow) => [...escrow.keyIds].sort().join(',') === wanted);
  if (whole && sha256) {
    context.state.escrow = { path: context.state.escrowPath!, keys: whole.keyIds.length, sha256 };
    context.say(`Escrow file for ${whole.keyIds.length} key(s) written before the interruption (audit event ${whole.event.seq}): ${context.state.escrowPath} (SHA-256 ${sha256}); kept as is.`);
    await context.record(step.id, 'done', { detail: { keys: whole.keyIds.length, sha256, adoptedFromEvent: whole.event.seq } });
    return true;
  }
  if (escrows.length > 0) throw recordedButIncomplete('an escrow file for other keys', [path], escrows[0]!.event.seq);
  await setAsideUnrecorded(context, step, [path]);
  return false;
}

export const STEP_RUNNERS: Readonly<Record<CeremonyStep['kind'], StepRunner>> = {
  'offline-check': async () => undefined,
  'plan-check': async () => undefined,

  generate: async (context, step, interrupted) => {
    const entryIndex = step.entryIndex!;
    const entry = context.plan.keys[entryIndex]!;
    if (interrupted) await noteOrphanedKeys(context, step, entry.alias);
    const slots = context.report.slots.filter((slot) => slot.entryIndex === entryIndex);
    context.say(`Generating ${entry.count} ${entry.spec} key${entry.count === 1 ? '' : 's'} '${entry.alias}' from OS entropy (health-tested)...`);
    const reply = await context.options.service.generateKeys(
      { spec: entry.spec, alias: entry.alias, count: entry.count, ...(entry.description ? { description: entry.description } : {}), operator: context.plan.operator, ...(context.plan.witnesses.length ? { witnesses: context.plan.witnesses } : {}) },
      { ...(context.options.onProgress ? { onProgress: context.options.onProgress } : {}) },
    );
    if (reply.keys.length !== slots.length) {
      throw new ByokError('INTERNAL', `Asked for ${slots.length} keys, the core reported ${reply.keys.length}.`);
    }
    reply.keys.forEach((key, index) => {
      const slot = slots[index]!;
      context.state.keys.push({
        label: slot.label,
        entryIndex,
        slot: slot.slot,
        keyId: key.id,
        alias: key.alias,
        spec: key.spec,
        check: key.check,
        createdAt: key.createdAt,
        paramsFile: slot.paramsFile,
        provider: slot.params?.provider ?? null,
        remoteKeyId: slot.params?.remoteKeyId ?? null,
        confirmation: null,
        backup: null,
        shares: null,
        wrap: null,
      });
    });
    context.state.entropy.push({ alias: entry.alias, spec: entry.spec, keys: reply.keys.length, healthPassed: reply.entropy.healthPassed, sources: reply.entropy.sources });
    await context.record(step.id, 'done', { detail: { keys: reply.keys.map((key) => key.id).join(','), healthPassed: reply.entropy.healthPassed, sources: reply.entropy.sources.map((source) => source.kind).join('+') } });
  },

  confirm: async (context, step) => {
    const key = keyOf(context, step.label!);
    const at = () => isoUtc(context.clock.now());
    if (context.unattended) {
      key.confirmation = { status: 'unattended', witness: null, typed: null, at: at() };
      await context.record(step.id, 'skipped', { keyId: key.keyId, detail: { reason: 'plan says confirmations: none (unattended run)', check: key.check.value } });
      return;
    }
    const prompter = context.options.prompter!;
    const witnesses = context.plan.witnesses;
    const index = context.state.keys.indexOf(key);
    const witness = witnesses[index % witnesses.length]!;
    prompter.say(`\nKey ${key.label} (${key.spec}, id ${key.keyId})\n  ${checkName(key.check)}:  ${displayCheckValue(key.check)}`);
    const typed = await prompter.ask(`${witness}, read the ${key.check.kind === 'kcv' ? 'KCV' : 'fingerprint'} on the screen and type it here: `);
    const confirmed = checkValueMatches(key.check, typed);
    key.confirmation = { status: confirmed ? 'confirmed' : 'refused', witness, typed: normaliseCheckValue(typed).slice(0, 80), at: at() };
    await context.record(step.id, confirmed ? 'confirmed' : 'refused', { keyId: key.keyId, detail: { witness, check: key.check.value, typed: key.confirmation.typed } });
    prompter.say(confirmed ? `  Confirmed by ${witness}.` : `  DOES NOT MATCH. Key ${key.label} is refused: it will not be shared, escrowed or wrapped in this ceremony.`);
  },

  'backup-verify': async (context, step) => {
    const key = keyOf(context, step.label!);
    if (await skipIfRefused(context, step, key)) return;
    const reply = await context.options.service.backupVerify({ keyId: key.keyId });
    const failure = reply.failed.find((item) => item.id === key.keyId) ?? reply.failed[0];
    if (reply.verified < 1 || failure) {
      await context.record(step.id, 'refused', { keyId: key.keyId, detail: { reason: failure?.reason ?? 'not verified' } });
      throw new ByokError('BACKUP_MISMATCH', `The keychain backup of ${key.label} (${key.keyId}) did not verify: ${failure?.reason ?? 'not found'}. The ceremony stops here; nothing more is exported. Check the keychain, then \`byok ceremony resume\`.`);
    }
    key.backup = { verified: true, at: isoUtc(context.clock.now()) };
    context.say(`Backup of ${key.label} in the OS keychain: read back, ${checkName(key.check)} matches.`);
    await context.record(step.id, 'done', { keyId: key.keyId, detail: { check: key.check.value } });
  },

  shares: async (context, step, interrupted) => {
    const key = keyOf(context, step.label!);
    if (await skipIfRefused(context, step, key)) return;
    const policy = context.plan.backup.shares!;
    const slot = slotOf(context, key.label);
    if (interrupted && (await resumeShares(context, step, key, slot.sharesDir!, policy))) return;
    await mkdir(slot.sharesDir!, { recursive: true });
    const reply = await context.options.service.sharesSplit({
      keyId: key.keyId,
      threshold: policy.threshold,
      shares: policy.shares,
      outDir: slot.sharesDir!,
      ...(policy.custodians ? { custodians: policy.custodians } : {}),
      operator: context.plan.operator,
      ...(context.plan.witnesses.length ? { witnesses: context.plan.witnesses } : {}),
    });
    const files = [];
    for (const file of reply.files) {
      files.push({ index: file.index, name: relative(context.report.sharesOut!, file.path), shareCheck: file.shareCheck, custodian: file.custodian, sha256: (await fileSha256(file.path))! });
    }
    key.shares = { threshold: policy.threshold, shares: policy.shares, subsetsVerified: reply.subsetsVerified, files };
    context.say(`Shares of ${key.label}: ${policy.threshold} of ${policy.shares} written; every ${policy.threshold}-subset (${reply.subsetsVerified}) rebuilds the ${checkName(key.check)}.`);
    await context.record(step.id, 'done', { keyId: key.keyId, detail: { threshold: policy.threshold, shares: policy.shares, subsetsVerified: reply.subsetsVerified, shareChecks: files.map((file) => file.shareCheck).join(',') } });
  },

  escrow: async (context, step, interrupted) => {
    const keys = context.state.keys.filter((key) => key.confirmation?.status !== 'refused');
    if (keys.length === 0) {
      await context.record(step.id, 'skipped', { detail: { reason: 'no confirmed key' } });
      return;
    }
    if (interrupted && (await resumeEscrow(context, step, context.report.escrowPath!, keys.map((key) => key.keyId)))) return;
    await mkdir(dirname(context.report.escrowPath!), { recursive: true });
    const passphrase = await escrowPassphrase(context);
    const reply = await context.options.service.escrowWrite({
      keyIds: keys.map((key) => key.keyId),
      path: context.report.escrowPath!,
      passphrase,
      operator: context.plan.operator,
      ...(context.plan.witnesses.length ? { witnesses: context.plan.witnesses } : {}),
    });
    context.state.escrow = { path: context.state.escrowPath!, keys: reply.keys, sha256: reply.sha256 };
    context.say(`Escrow file written for ${reply.keys} key(s): ${context.state.escrowPath} (SHA-256 ${reply.sha256}).`);
    await context.record(step.id, 'done', { detail: { keys: reply.keys, sha256: reply.sha256 } });
  },

  wrap: async (context, step, interrupted) => {
    const key = keyOf(context, step.label!);
    if (await skipIfRefused(context, step, key)) return;
    const slot = slotOf(context, key.label);
    if (interrupted && (await resumeWrap(context, step, key, slot.outDir, slot.materialExpiry ?? 'never'))) return;
    await mkdir(slot.outDir, { recursive: true });
    const reply = await context.options.service.wrap(
      {
        keyId: key.keyId,
        paramsPath: slot.paramsPath,
        ...(slot.algorithm ? { algorithm: slot.algorithm } : {}),
        materialExpiry: slot.materialExpiry ?? 'never',
        outDir: slot.outDir,
        operator: context.plan.operator,
        ...(context.plan.witnesses.length ? { witnesses: context.plan.witnesses } : {}),
      },
      { ...(context.options.onProgress ? { onProgress: context.options.onProgress } : {}) },
    );
    key.provider = reply.provider;
    key.wrap = {
      provider: reply.provider,
      algorithm: reply.algorithm,
      materialExpiry: slot.materialExpiry ?? 'never',
      files: reply.files.map((file) => ({ name: relative(context.report.output!, file.path), sha256: file.sha256 })),
      warnings: reply.warnings,
    };
    context.say(`Wrapped ${key.label} for ${reply.provider} with ${reply.algorithm}: ${reply.files.map((file) => file.name).join(', ')}.`);
    await context.record(step.id, 'done', { keyId: key.keyId, detail: { provider: reply.provider, algorithm: reply.algorithm, files: key.wrap.files.map((file) => `${file.name}=${file.sha256}`).join(',') } });
  },

  finalize: async (context, step) => {
    context.state.finishedAt = isoUtc(context.clock.now());
    await context.record(step.id, 'done', { detail: { keys: context.state.keys.length, refused: context.state.keys.filter((key) => key.confirmation?.status === 'refused').length } });
    // The head after the finalize event covers every step of this ceremony.
    const audit = await context.options.service.auditVerify();
    context.state.audit = { head: audit.head, events: audit.events, valid: audit.valid };
    context.say(`Audit chain: ${audit.valid ? 'verified' : 'BROKEN'}, ${audit.events} events, head ${audit.head}.`);
  },
};

/**
 * A generation cut off after the core saved some keys but before it reported them leaves keys in the
 * vault (with their backups) that this ceremony never showed anyone. They are not adopted — nobody
 * confirmed them — but named in the state, the audit log and the transcript so nobody wonders later.
 */
async function noteOrphanedKeys(context: StepContext, step: CeremonyStep, alias: string): Promise<void> {
  const known = new Set(context.state.keys.map((key) => key.keyId));
  const { keys } = await context.options.service.listKeys({ search: alias });
  const orphans = keys.filter((key) => !known.has(key.id) && Date.parse(key.createdAt) >= Date.parse(context.state.startedAt) && (key.alias === alias || key.alias.startsWith(`${alias}-`)));
  if (orphans.length === 0) return;
  context.state.orphanedKeys.push(...orphans.map((key) => ({ keyId: key.id, alias: key.alias, check: key.check.value })));
  await context.record(step.id, 'skipped', { detail: { orphanedKeys: orphans.map((key) => key.id).join(','), reason: 'saved by an interrupted generation, not part of this ceremony' } });
}

async function escrowPassphrase(context: StepContext): Promise<string> {
  const prompter = context.options.prompter;
  if (!prompter) return context.options.escrowPassphrase!();
  for (let attempt = 1; attempt <= MAX_PASSPHRASE_ATTEMPTS; attempt++) {
    const first = await prompter.askSecret('Escrow passphrase (not shown): ');
    const second = await prompter.askSecret('The same passphrase again: ');
    if (first === second && first.length > 0) return first;
    prompter.say(first === second ? 'The passphrase is empty; try again.' : 'The two entries differ; try again.');
  }
  throw new ByokError('INVALID_INPUT', `The escrow passphrase was not entered the same way twice in ${MAX_PASSPHRASE_ATTEMPTS} attempts; no escrow file was written. Resume with \`byok ceremony resume\`.`);
}
