// Generate keys: entropy → key → keychain backup (written, read back, checked) → vault record saved
// durably → audit event → reported (optionally wrapped for import on the way). A key is never reported, nor recorded, before its backup is verified.
import { randomUUID } from 'node:crypto';
import type { GenerateKeysReply, GenerateKeysRequest, RunOptions } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import { KEY_SPECS, isKeySpecName } from '../../../shared/key-specs.ts';
import { isoUtc } from '../clock.ts';
import { operatorEntropyFromDice, operatorEntropyFromFile, type OperatorEntropy } from '../entropy/index.ts';
import { generateKeyBatch, type GeneratedKey } from '../keys/index.ts';
import type { OutputLayout, WrappingAlgorithm } from '../../../shared/providers.ts';
import { zeroize } from '../secret.ts';
import { yieldToEventLoop } from '../yield.ts';
import { wrapMaterial, type WrappedMaterial } from '../wrap/index.ts';
import type { CoreContext } from './context.ts';
import { assertAlias, operatorFields } from './validation.ts';

/** Keys per keychain batch: one item (or a few, under a platform size limit) per batch keeps keychain writes few. */
export const DEFAULT_BATCH_SIZE = 1000;
export const MAX_COUNT = 10_000;

export interface GenerateOptions extends RunOptions {
  batchSize?: number;
  /** Called after each batch is durably saved: those keys are done even if a later batch fails. */
  onSaved?: (keys: GenerateKeysReply['keys']) => void;
  /**
   * Also wrap every key for import, from the generated copy while its backup is written (see
   * generateBatch); checked by the caller before any material exists (generate-and-wrap.ts).
   */
  wrapFor?: WrapTarget;
  /**
   * With wrapFor: called with each batch's keys and wrapped material once the batch is saved (before the
   * next batch starts), so its outputs are written even if a later batch fails.
   */
  onBatchWrapped?: (keys: GenerateKeysReply['keys'], wrapped: ReadonlyMap<string, WrappedMaterial>) => Promise<void>;
}

/** Where a generated key is wrapped to: one provider wrapping key, algorithm and output layout for the whole run. */
export interface WrapTarget {
  wrappingPublicKeySpki: Uint8Array;
  algorithm: WrappingAlgorithm;
  layout: OutputLayout;
}

/** Generated keys, plus their wrapped material (by key id) when a wrap target was given. */
export interface GeneratedKeys extends Omit<GenerateKeysReply, 'wrapped'> {
  wrappedMaterial?: Map<string, WrappedMaterial>;
}

interface SavedBatch {
  keys: GenerateKeysReply['keys'];
  sources: GenerateKeysReply['entropy']['sources'];
  wrapped?: Map<string, WrappedMaterial>;
  /** The batch is saved and backed up, but its wrap failed. */
  wrapError?: unknown;
}

export async function generateKeys(context: CoreContext, request: GenerateKeysRequest, options: GenerateOptions = {}): Promise<GeneratedKeys> {
  const { spec, alias } = request;
  if (!isKeySpecName(spec)) throw new ByokError('KEY_SPEC_INVALID', `Unknown key spec "${String(spec)}". Use one of: ${Object.keys(KEY_SPECS).join(', ')}.`);
  const count = request.count ?? 1;
  const aliases = aliasesFor(alias, count);
  const batchSize = batchSizeFor(options.batchSize);
  // Every alias of the run contains `alias`, so the keys whose id, alias or description contain it are
  // all that can clash: no need to read (and parse the evidence of) every key in the vault.
  const taken = new Set(context.vault.keys.list({ search: alias }).map((key) => key.alias));
  const clash = aliases.find((candidate) => taken.has(candidate));
  if (clash) throw new ByokError('INVALID_ARGUMENT', `A key with alias "${clash}" already exists in this vault. Choose another alias.`);

  // Refuse before any material exists: operator entropy must be readable, the keychain must answer.
  const operatorEntropy: OperatorEntropy[] = [];
  try {
    for (const path of request.entropyFiles ?? []) operatorEntropy.push(await operatorEntropyFromFile(path));
    // An empty string is still dice the operator meant to give: operatorEntropyFromDice refuses it.
    if (request.diceRolls !== undefined) operatorEntropy.push(operatorEntropyFromDice(request.diceRolls));
    await assertKeychainReachable(context);
    // Generation ends with audit events: with a damaged log they would be refused after the keychain
    // batch was written. Refuse before any material exists instead.
    if (context.audit.tailBroken) throw new ByokError('AUDIT_CHAIN_BROKEN', 'The last line of the audit log is damaged, so no event can be recorded and no key was generated. Run `byok audit verify` to see where, and restore audit.jsonl from a copy.');

    const reported: GenerateKeysReply['keys'] = [];
    const wrapped = new Map<string, WrappedMaterial>();
    let sources: GenerateKeysReply['entropy']['sources'] = [];
    for (let start = 0; start < count; start += batchSize) {
      if (options.signal?.aborted) throw new ByokError('CANCELLED', `Cancelled after ${reported.length} of ${count} keys; those ${reported.length} are saved and backed up.`);
      const batchAliases = aliases.slice(start, start + batchSize);
      const saved = await generateBatch(context, request, batchAliases, operatorEntropy, options.wrapFor, (done) =>
        options.onProgress?.({ operation: 'generate', done: start + done, total: count, message: `${spec} ${start + done}/${count}` }),
      );
      sources = saved.sources;
      reported.push(...saved.keys);
      options.onSaved?.(saved.keys);
      if (saved.wrapError !== undefined) throw notWrapped(saved.wrapError, reported.length, saved.keys.length);
      if (saved.wrapped) {
        for (const [id, material] of saved.wrapped) wrapped.set(id, material);
        await options.onBatchWrapped?.(saved.keys, saved.wrapped);
      }
    }
    return { keys: reported, entropy: { sources, healthPassed: true }, ...(options.wrapFor ? { wrappedMaterial: wrapped } : {}) };
  } catch (error) {
    if (error instanceof ByokError && error.code === 'ENTROPY_HEALTH_FAILED') {
      await context.audit.append({ type: 'entropy.health', ...operatorFields(request), data: { passed: false, spec, reason: error.message } });
    }
    throw error;
  } finally {
    for (const source of operatorEntropy) zeroize(source.bytes);
  }
}

/** Keys per keychain batch, 1 to DEFAULT_BATCH_SIZE; anything else is refused rather than quietly clamped. */
function batchSizeFor(batchSize: number | undefined): number {
  if (batchSize === undefined) return DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > DEFAULT_BATCH_SIZE) {
    throw new ByokError('INVALID_ARGUMENT', `--batch-size must be a whole number from 1 to ${DEFAULT_BATCH_SIZE}.`);
  }
  return batchSize;
}

/** The aliases of a run: `alias` itself for one key, else `alias-001`, `alias-002`, … (checked). */
export function aliasesFor(alias: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new ByokError('INVALID_ARGUMENT', `--count must be a whole number from 1 to ${MAX_COUNT}.`);
  }
  assertAlias(alias);
  const aliases = Array.from({ length: count }, (_, index) => (count === 1 ? alias : `${alias}-${String(index + 1).padStart(String(count).length, '0')}`));
  for (const candidate of aliases) assertAlias(candidate);
  return aliases;
}

/** The batch's keys are saved and backed up, its wrap failed: say which keys are not wrapped. */
function notWrapped(cause: unknown, saved: number, inBatch: number): ByokError {
  const reason = cause instanceof ByokError ? cause.message : 'the wrapping failed.';
  return new ByokError(
    cause instanceof ByokError ? cause.code : 'INTERNAL',
    `${saved} key(s) were generated, backed up and saved, but ${inBatch === saved ? 'not wrapped' : `the last ${inBatch} were not wrapped`}: ${reason} Wrap them with \`byok wrap\`.`,
    undefined,
    { cause },
  );
}

/**
 * Refuses early when the keychain does not answer. Loading the ceremony key is a real read (and, on a new
 * vault, a write) against the same keychain the backups go to: cheaper and more telling than a listing.
 */
async function assertKeychainReachable(context: CoreContext): Promise<void> {
  try {
    await context.signer();
  } catch (error) {
    if (error instanceof ByokError && error.code !== 'INTERNAL') throw error;
    throw new ByokError('KEYCHAIN_UNAVAILABLE', 'The OS keychain did not answer, so no key was generated (a key without a backup must never exist). Unlock or start the keychain and try again.');
  }
}

async function generateBatch(
  context: CoreContext,
  request: GenerateKeysRequest,
  aliases: string[],
  operatorEntropy: OperatorEntropy[],
  wrapFor: WrapTarget | undefined,
  onGenerated: (done: number) => void,
): Promise<SavedBatch> {
  const generated: Array<{ id: string; alias: string; createdAt: string; key: GeneratedKey }> = [];
  // The batch is recorded before it is written, so that a batch killed before its keys' records are
  // saved is still found by the reconciliation (backup-batches-repository.ts). That save's fsync runs
  // while the keys are drawn; it has to be done before the keychain write.
  const batchId = context.backups.newBatchId();
  context.vault.backupBatches.recordStarted(batchId, isoUtc(context.clock.now()));
  const recorded = context.vault.save();
  recorded.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  await yieldToEventLoop(); // so the save's write is under way before the draw takes the thread
  let samplesTested = 0;
  let wrapping: PromiseSettledResult<Map<string, WrappedMaterial> | undefined>;
  try {
    // Symmetric keys of a batch come from one health-tested OS draw, each from its own segment of it.
    const batch = await generateKeyBatch(request.spec, aliases.length, { ...(operatorEntropy.length ? { operatorEntropy } : {}), onGenerated });
    samplesTested = batch.samplesTested;
    for (const [index, key] of batch.keys.entries()) {
      generated.push({ id: randomUUID(), alias: aliases[index]!, createdAt: isoUtc(context.clock.now()), key });
    }
    // The keychain write and read-back run in the binding's thread and the keychain daemon; the wraps run
    // here meanwhile. A wrap is only ever handed out if the read-back then proves the keychain holds these
    // very bytes (byte for byte, and their recomputed KCVs), so what was wrapped is what was backed up.
    await recorded;
    const [backup, wrapped] = await Promise.allSettled([
      context.backups.writeNewBatch(batchId, generated.map(({ id, alias, createdAt, key }) => ({ keyId: id, alias, spec: key.spec, check: key.check, createdAt, material: key.material }))),
      wrapFor ? wrapInSlices(generated.map(({ id, key }) => ({ id, material: key.material })), wrapFor) : Promise.resolve(undefined),
    ]);
    if (backup.status === 'rejected') throw backup.reason;
    wrapping = wrapped;
  } finally {
    for (const { key } of generated) zeroize(key.material);
  }

  const first = generated[0]!.key.entropy;
  const sources = first.sources;
  const who = operatorFields(request);
  // The audit event goes before the database save: if the process dies in between, the backup and the
  // event exist and the open-time reconciliation reports the key as a backup without a record.
  await context.audit.appendMany([{
    type: 'backup.written',
    ...who,
    data: { batchId, keys: generated.length, verified: true, keyIds: generated.map(({ id }) => id) },
  }, {
    type: 'entropy.health',
    ...who,
    data: { passed: true, batchId, keys: generated.length, standard: first.health.standard, samples: samplesTested },
  }, {
    type: 'key.generated',
    ...who,
    data: {
      batchId,
      spec: request.spec,
      sources: sources.map((source) => `${source.kind}:${source.label}`),
      keys: generated.map(({ id, alias, key }) => ({ id, alias, check: key.check.value })),
    },
  }]);
  context.vault.keys.insertMany(
    generated.map(({ id, alias, createdAt, key }) => ({
      id,
      alias,
      description: request.description ?? null,
      spec: key.spec,
      check: key.check,
      createdAt,
      status: 'active' as const,
      backupRef: batchId,
      batchId,
      entropyEvidence: key.entropy,
      operator: request.operator ?? null,
      // writeBatch read every backup back and compared its check value before returning.
      backupVerifiedAt: createdAt,
    })),
  );
  await context.vault.save();
  return {
    keys: generated.map(({ id, alias, createdAt, key }) => ({ id, alias, spec: key.spec, check: key.check, createdAt })),
    sources,
    ...(wrapping.status === 'fulfilled' ? (wrapping.value ? { wrapped: wrapping.value } : {}) : { wrapError: wrapping.reason }),
  };
}

/** Keys wrapped per slice before yielding, so the keychain calls in flight are answered between slices. */
const WRAP_SLICE = 50;

/** Wraps each key for `target`, yielding between slices; the caller zeroes the material. */
async function wrapInSlices(keys: ReadonlyArray<{ id: string; material: Uint8Array }>, target: WrapTarget): Promise<Map<string, WrappedMaterial>> {
  const wrapped = new Map<string, WrappedMaterial>();
  for (let start = 0; start < keys.length; start += WRAP_SLICE) {
    if (start > 0) await yieldToEventLoop();
    for (const { id, material } of keys.slice(start, start + WRAP_SLICE)) {
      wrapped.set(id, wrapMaterial({ material, wrappingPublicKeySpki: target.wrappingPublicKeySpki, algorithm: target.algorithm, layout: target.layout }));
    }
  }
  return wrapped;
}
