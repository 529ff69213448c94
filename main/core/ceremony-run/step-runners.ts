// What each step of a planned ceremony does, one runner per step kind (see ceremony-steps.ts for the
// order). Each runner records its outcome in the state and the audit log; run-ceremony.ts saves the
// state around it and marks it completed.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { CeremonyStepRecord } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import { isoUtc, type Clock } from '../clock.ts';
import type { KeySlot, Plan, PlanCheckReport } from '../plan/index.ts';
import type { CeremonyStep } from './ceremony-steps.ts';
import type { CeremonyState, KeyRecord } from './ceremony-state.ts';
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

/** A step cut off half-way may have left files in its own folder: they were never reported, so they go. */
async function discardInterruptedOutput(context: StepContext, step: CeremonyStep, path: string | null, interrupted: boolean): Promise<void> {
  if (!path || !interrupted) return;
  const present = await stat(path).then(() => true, () => false);
  if (!present) return;
  await rm(path, { recursive: true, force: true });
  await context.record(step.id, 'skipped', { detail: { discardedPartialOutput: relative(context.report.output ?? '', path) || path } });
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
    await discardInterruptedOutput(context, step, slot.sharesDir, interrupted);
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
      files.push({ index: file.index, name: relative(context.report.sharesOut!, file.path), shareCheck: file.shareCheck, custodian: file.custodian, sha256: await fileSha256(file.path) });
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
    await discardInterruptedOutput(context, step, context.report.escrowPath, interrupted);
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
    await discardInterruptedOutput(context, step, slot.outDir, interrupted);
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

async function fileSha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}
