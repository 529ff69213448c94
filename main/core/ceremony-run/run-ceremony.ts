// Runs a checked plan step by step: offline check, plan check, generation, witness read-back of every
// check value, backup verification, shares, escrow, wraps, finalize. Every step is recorded in the
// audit log as it happens (started, then done / confirmed / refused / skipped) and in the durable
// state file, so an interrupted run resumes where it stopped without regenerating a key.
//
// The read-back rule: one attempt per key. A value typed back wrong refuses THAT key for the rest of
// the ceremony: it gets no shares, no escrow, no wrap, no output file; the refusal is recorded. Its
// material stays in the vault and the keychain (a generated key is never silently dropped), marked in
// the transcript as refused. The run continues with the other keys and ends "completed with
// refusals" (non-zero exit in the CLI). A failed backup verification, by contrast, stops the whole run:
// nothing is exported while a backup is in doubt.
import { randomUUID } from 'node:crypto';
import type { CeremonyService, CeremonyStepRecord, ProgressListener } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import { isoUtc, systemClock, type Clock } from '../clock.ts';
import { checkPlanBytes, formatPlanProblem, parsePlanText, planSha256, readPlanFile, type KeySlot, type Plan, type PlanCheckReport } from '../plan/index.ts';
import { hexToPgpWords } from '../plan/pgp-words.ts';
import { ceremonySteps } from './ceremony-steps.ts';
import { CEREMONY_STATE_VERSION, saveState, statePath, type CeremonyState } from './ceremony-state.ts';
import type { CeremonyPrompter } from './prompter.ts';
import { STEP_RUNNERS, type StepContext } from './step-runners.ts';

export interface RunCeremonyOptions {
  service: CeremonyService;
  /** Where `ceremonies/<id>.json` is kept: the vault folder the service has open. */
  vaultDir: string;
  planPath: string;
  allowOnline?: boolean;
  /** null: unattended (only when the plan says `confirmations: none`). */
  prompter: CeremonyPrompter | null;
  /** The escrow passphrase for an unattended run (the prompter asks for it otherwise). */
  escrowPassphrase?: () => Promise<string>;
  clock?: Clock;
  onProgress?: ProgressListener;
  /** Narration when there is no prompter (stderr in the CLI). */
  say?: (line: string) => void;
  /** Continue this ceremony instead of starting a new one. */
  resume?: CeremonyState;
  /** Rehearsal: called after the plan check to swap in stand-in parameters and throwaway folders. */
  rehearsal?: { prepare(report: PlanCheckReport): Promise<void> };
}

export interface CeremonyOutcome {
  state: CeremonyState;
  statePath: string;
  status: 'completed' | 'completed-with-refusals';
  refusedKeys: string[];
}

export async function runCeremony(options: RunCeremonyOptions): Promise<CeremonyOutcome> {
  const clock = options.clock ?? systemClock;
  const { service, prompter } = options;
  const say = prompter ? (line: string) => prompter.say(line) : (options.say ?? (() => undefined));
  const resumed = options.resume;
  const planBytes = await readPlanFile(options.planPath);
  const sha256 = planSha256(planBytes);
  const ceremonyId = resumed?.ceremonyId ?? randomUUID();

  if (resumed && resumed.planSha256 !== sha256) {
    throw new ByokError(
      'CEREMONY_STATE_INVALID',
      `The plan ${options.planPath} changed since ceremony ${ceremonyId} started (SHA-256 ${sha256} now, ${resumed.planSha256} then). A resumed ceremony must follow the reviewed plan: restore that file, or start a new ceremony.`,
    );
  }
  if (resumed?.finishedAt) throw new ByokError('CEREMONY_STATE_INVALID', `Ceremony ${ceremonyId} already finished at ${resumed.finishedAt}; there is nothing to resume.`);

  // Who is in the room, for every audit event from the first one (the full check comes after the offline check).
  const named = parsePlanText(Buffer.from(planBytes).toString('utf8')).plan;
  let operatorContext: Pick<CeremonyStepRecord, 'operator' | 'witnesses'> = named ? { operator: named.operator, ...(named.witnesses.length ? { witnesses: named.witnesses } : {}) } : {};
  const record = async (step: string, status: CeremonyStepRecord['status'], extra: { keyId?: string; detail?: CeremonyStepRecord['detail'] } = {}) => {
    const detail = { ...(extra.detail ?? {}), ...(options.rehearsal ? { rehearsal: true } : {}) };
    await service.recordCeremonyStep({ ceremonyId, planSha256: sha256, step, status, ...operatorContext, ...(extra.keyId ? { keyId: extra.keyId } : {}), ...(Object.keys(detail).length ? { detail } : {}) });
  };

  say(`${options.rehearsal ? 'REHEARSAL of ceremony' : resumed ? 'Resuming ceremony' : 'Ceremony'} ${ceremonyId}`);
  say(`Plan ${options.planPath}\n  SHA-256 ${sha256}\n  words   ${hexToPgpWords(sha256)}`);

  // 1. Offline check, every invocation: the machine may have been reconnected since the last one.
  const offline = await service.offlineCheck();
  const allowedOnline = !offline.offline && Boolean(options.allowOnline);
  const offlineDetail = { offline: offline.offline, defaultRoute: offline.defaultRoute, interfaces: offline.interfaces.map((item) => item.name).join(',') || null, allowedOnline };
  if (!offline.offline && !options.allowOnline) {
    await record('offline-check', 'refused', { detail: offlineDetail });
    const why = [offline.interfaces.length ? `network interfaces up: ${offline.interfaces.map((item) => item.name).join(', ')}` : null, offline.defaultRoute ? 'a default route exists' : null].filter(Boolean).join('; ');
    throw new ByokError('CEREMONY_NOT_OFFLINE', `This machine is not offline (${why}). Disconnect it (unplug, disable Wi-Fi) and run again, or pass --allow-online for a test run; the transcript will say so.`);
  }
  await record('offline-check', 'done', { detail: offlineDetail });
  say(offline.offline ? 'Offline check: no network interface up, no default route.' : 'Offline check: ONLINE, allowed by --allow-online (recorded in the transcript).');

  // 2. Plan check, again: the files may have changed since the review.
  const report = await checkPlanBytes(planBytes, options.planPath, { at: clock.now(), ...(resumed ? { resuming: true } : {}), ...(options.rehearsal ? { rehearsal: true } : {}) });
  const plan = report.plan;
  if (plan) operatorContext = { operator: plan.operator, ...(plan.witnesses.length ? { witnesses: plan.witnesses } : {}) };
  const problems = resumed && plan ? report.problems.filter((problem) => !isSettledParamsProblem(problem.path, plan, report.slots, resumed)) : report.problems;
  if (!plan || problems.length > 0) {
    await record('plan-check', 'refused', { detail: { problems: problems.length } });
    const listed = problems.slice(0, 5).map((problem) => formatPlanProblem(problem, options.planPath)).join('\n');
    throw new ByokError('PLAN_INVALID', `The plan does not pass its check (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was generated.\n${listed}\nRun \`byok plan check\` for the full list.`);
  }
  const unattended = plan.confirmations === 'none';
  if (!unattended && prompter === null) {
    throw new ByokError('CEREMONY_CONFIRMATION_FAILED', "This plan needs witnesses to type back each check value, which needs a terminal. Run it on a terminal, or set 'confirmations: none' in the plan for an unattended run.");
  }
  if (plan.backup.escrow && !prompter && !options.escrowPassphrase) {
    throw new ByokError('INVALID_ARGUMENT', 'The plan writes an escrow file: an unattended run needs --escrow-passphrase-file FILE.');
  }
  if (options.rehearsal) await options.rehearsal.prepare(report);
  say(`Plan check: passed at ${report.checkedAt} UTC (${report.slots.length} key${report.slots.length === 1 ? '' : 's'}).`);

  const state: CeremonyState = resumed ?? {
    version: CEREMONY_STATE_VERSION,
    ceremonyId,
    rehearsal: Boolean(options.rehearsal),
    unattended,
    planPath: options.planPath,
    planSha256: sha256,
    planWords: report.words,
    ceremony: plan.ceremony,
    operator: plan.operator,
    witnesses: plan.witnesses,
    output: plan.output,
    sharesOut: plan.backup.shares ? (plan.backup.shares.out ?? `${plan.output}/shares`) : null,
    escrowPath: plan.backup.escrow?.path ?? null,
    vaultId: null,
    startedAt: isoUtc(clock.now()),
    finishedAt: null,
    sessions: [],
    entropy: [],
    completed: [],
    inProgress: null,
    keys: [],
    orphanedKeys: [],
    escrow: null,
    audit: null,
  };
  state.vaultId ??= (await service.vaultInfo()).vaultId;
  state.sessions.push({ kind: resumed ? 'resume' : 'run', at: offline.checkedAt, offline, allowedOnline, planCheck: { at: report.checkedAt, ok: true, sha256 } });
  const save = () => saveState(options.vaultDir, state);
  for (const id of ['offline-check', 'plan-check']) if (!state.completed.includes(id)) state.completed.push(id);
  await save();
  await record('plan-check', 'done', { detail: { keys: report.slots.length, at: report.checkedAt } });

  const context: StepContext = { options, plan, report, state, save, record, say, clock, unattended };
  for (const step of ceremonySteps(plan, report.slots)) {
    if (state.completed.includes(step.id)) continue;
    const interrupted = state.inProgress === step.id;
    state.inProgress = step.id;
    await save();
    await record(step.id, 'started', { ...(interrupted ? { detail: { interruptedBefore: true } } : {}) });
    await STEP_RUNNERS[step.kind](context, step, interrupted);
    state.inProgress = null;
    state.completed.push(step.id);
    await save();
  }

  const refusedKeys = state.keys.filter((key) => key.confirmation?.status === 'refused').map((key) => key.label);
  say(refusedKeys.length ? `Finished with ${refusedKeys.length} key(s) refused at read-back: ${refusedKeys.join(', ')}.` : 'Finished: every step done.');
  return { state, statePath: statePath(options.vaultDir, ceremonyId), status: refusedKeys.length ? 'completed-with-refusals' : 'completed', refusedKeys };
}

/** On resume, a params problem of a key already wrapped (or refused) no longer matters: its wrap is settled. */
function isSettledParamsProblem(path: string, plan: Plan, slots: readonly KeySlot[], state: CeremonyState): boolean {
  return slots.some((slot) => {
    const settled = state.completed.includes(`wrap:${slot.label}`) || state.keys.some((key) => key.label === slot.label && key.confirmation?.status === 'refused');
    if (!settled) return false;
    const paramsPath = typeof plan.keys[slot.entryIndex]?.params === 'string' ? `keys[${slot.entryIndex}].params` : `keys[${slot.entryIndex}].params[${slot.slot}]`;
    return path === paramsPath;
  });
}
