// Wrap one key for import: every refusal happens before the backup is read; the material is read from
// the keychain backup, checked against the vault's KCV/fingerprint, wrapped, and zeroed.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { OperatorContext, OutputFile, ParamsSummary, RunOptions, WrapAllRequest, WrapReply, WrapRequest } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import { KEY_SPEC_NAMES, KEY_SPECS } from '../../../shared/key-specs.ts';
import { acceptedAlgorithms, outputLayout, type WrappingAlgorithm } from '../../../shared/providers.ts';
import { isoUtc } from '../clock.ts';
import { zeroize } from '../secret.ts';
import {
  checkWrapRequest,
  createBundle,
  parseImportParameters,
  parseMaterialExpiry,
  providerNativeFiles,
  wrapMaterial,
  writeOutputs,
  type ImportParameters,
  type WrappedMaterial,
} from '../wrap/index.ts';
import type { CeremonySigner, CoreContext } from './context.ts';
import type { KeyRecord } from '../vault/index.ts';
import { parseRequestFile, requestEntryFor } from '../kms/request-file.ts';
import { requireKey } from './key-queries.ts';
import { operatorFields } from './validation.ts';
import { recordRefusal } from './refusals.ts';
import { sha256Hex } from './hashing.ts';
import { removeStaleTemps } from '../new-files.ts';
import { refuseMislabelledEntry, refuseRemoteKeyOfAnotherKey, refuseSharedRemoteKeys } from './remote-key-owner.ts';

const BUNDLE_FILE = 'bundle.json';
/** A provider's response is a few kilobytes; a request file for 10,000 keys is a few tens of megabytes. */
const MAX_PARAMS_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads import parameters: a provider's own response file, or our request file (from `byok remote
 * params`), in which case the entry for `keyId` is taken.
 */
export async function readParamsFile(path: string, algorithm?: WrappingAlgorithm, keyId?: string): Promise<ImportParameters> {
  const text = await readParamsText(path);
  const requestFile = parseRequestFile(text);
  if (requestFile) {
    if (!keyId) throw new ByokError('INVALID_ARGUMENT', `${basename(path)} is a request file for ${requestFile.entries.length} key(s); name the key with --key, or wrap them all with \`byok wrap --params ${basename(path)} --out DIR\` without --key.`);
    const entry = requestEntryFor(requestFile, keyId);
    const params = parseImportParameters(entry.responseText, { fileName: basename(path), ...(algorithm ? { algorithm } : {}) });
    refuseMislabelledEntry(entry, params);
    return params;
  }
  return parseImportParameters(text, { fileName: basename(path), ...(algorithm ? { algorithm } : {}) });
}

/** A provider's own response file; our request files name existing keys, so they are refused here. */
export async function readProviderResponseFile(path: string, algorithm?: WrappingAlgorithm): Promise<ImportParameters> {
  const text = await readParamsText(path);
  if (parseRequestFile(text)) {
    throw new ByokError('INVALID_ARGUMENT', `${basename(path)} is a request file for keys that already exist; new keys are wrapped under one provider response (such as a GCP import job). Generate first, then run \`byok wrap --params ${basename(path)} --out DIR\`.`);
  }
  return parseImportParameters(text, { fileName: basename(path), ...(algorithm ? { algorithm } : {}) });
}

async function readParamsText(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new ByokError('FILE_NOT_FOUND', `Cannot read the parameters file ${path}. Check the path.`);
  }
  if (bytes.length > MAX_PARAMS_FILE_BYTES) throw new ByokError('PARAMS_MALFORMED', `${basename(path)} is larger than ${MAX_PARAMS_FILE_BYTES / 1024 / 1024} MiB. Check that you picked the right file.`);
  return bytes.toString('utf8');
}

/** Reads a parameters file on its own: it needs nothing of a vault but the clock. */
export async function inspectParams(context: Pick<CoreContext, 'clock'>, request: { path: string; algorithm?: WrappingAlgorithm }): Promise<ParamsSummary> {
  const params = await readParamsFile(request.path, request.algorithm);
  const now = context.clock.now();
  const algorithmsAllowed: ParamsSummary['algorithmsAllowed'] = {};
  for (const spec of KEY_SPEC_NAMES) {
    const accepted = acceptedAlgorithms(params.provider, spec);
    if (accepted.length) algorithmsAllowed[spec] = accepted;
  }
  const secondsLeft = params.parametersValidTo === null ? null : Math.floor((Date.parse(params.parametersValidTo) - now.getTime()) / 1000);
  const warnings: string[] = [];
  if (secondsLeft !== null && secondsLeft <= 0) warnings.push(`These parameters expired at ${params.parametersValidTo} (UTC). Fetch new import parameters from the KMS.`);
  else if (secondsLeft !== null && secondsLeft < 3600) warnings.push(`These parameters expire in ${Math.floor(secondsLeft / 60)} minutes (${params.parametersValidTo} UTC).`);
  return {
    provider: params.provider,
    remoteKeyId: params.remoteKeyId,
    wrappingKeySpec: params.wrappingKeySpec,
    wrappingKeyBits: params.wrappingKeyBits,
    algorithm: params.algorithm,
    algorithmsAllowed,
    parametersValidTo: params.parametersValidTo,
    secondsLeft,
    warnings,
  };
}

/** A wrap that passed every check and whose outputs do not exist yet: nothing has been read. */
export interface PreparedWrap {
  record: KeyRecord;
  params: ImportParameters;
  algorithm: WrappingAlgorithm;
  layout: 'single' | 'split';
  materialExpiry: string | null;
  warnings: string[];
  outDir: string;
  paramsFile: string;
}

/** Every refusal, before any material is read; a refusal is recorded in the audit log. */
export async function prepareWrap(
  context: CoreContext,
  request: { keyId: string; params: ImportParameters; paramsFile: string; algorithm?: WrappingAlgorithm; materialExpiry?: string; outDir: string } & OperatorContext,
): Promise<PreparedWrap> {
  const record = requireKey(context, request.keyId);
  const now = context.clock.now();
  try {
    const { params } = request;
    refuseRemoteKeyOfAnotherKey(context.vault, { keyId: record.id, providerType: params.provider, remoteKeyId: params.remoteKeyId });
    const { algorithm, warnings } = checkWrapRequest({ params, spec: record.spec, ...(request.algorithm ? { algorithm: request.algorithm } : {}), now });
    const materialExpiry = parseMaterialExpiry(request.materialExpiry, params.provider, now, record.spec);
    const layout = outputLayout(params.provider, record.spec);
    // Files left by a write killed before it was reported are cleared first: they must not block a retry.
    await removeStaleTemps(resolve(request.outDir)).catch(() => undefined);
    refuseExistingOutputs({ outDir: request.outDir, params, layout, materialExpiry, alias: record.alias });
    return { record, params, algorithm, layout, materialExpiry, warnings, outDir: request.outDir, paramsFile: request.paramsFile };
  } catch (error) {
    await recordRefusal(context, 'wrap', error, request, { keyId: record.id });
    throw error;
  }
}

/** Refuses when any file a wrap would write is already in `outDir`: outputs are never overwritten. */
export function refuseExistingOutputs(input: { outDir: string; params: ImportParameters; layout: 'single' | 'split'; materialExpiry: string | null; alias: string | null }): void {
  const { outDir, params, layout, materialExpiry, alias } = input;
  // A folder that does not exist holds none of them: one look instead of one per file (a bulk wrap
  // prepares a thousand new folders). writeOutputs checks again and creates each file exclusively.
  const existingPart = nearestExisting(resolve(outDir));
  if (!statSync(existingPart).isDirectory()) {
    throw new ByokError('OUTPUT_EXISTS', `${existingPart} is a file, not a folder, so ${outDir} cannot be created; outputs are never written over a file. Choose another output folder.`);
  }
  if (existingPart !== resolve(outDir)) return;
  const plannedNames = [BUNDLE_FILE, ...providerNativeFiles({ provider: params.provider, params, wrapped: placeholderFor(layout), materialExpiry, alias }).map((file) => file.name)];
  const existing = plannedNames.filter((name) => existsSync(join(outDir, name)));
  if (existing.length) throw new ByokError('OUTPUT_EXISTS', `${existing.join(', ')} already exist in ${outDir}; outputs are never overwritten. Choose an empty output folder.`);
}

/** `path` itself when it exists, else its closest existing ancestor (the root always exists). */
function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/**
 * Wraps prepared keys in memory. Each keychain batch is read once (not once per key); every key's
 * material is checked against its recorded KCV/fingerprint by the backup store before it is used and
 * zeroed right after.
 */
export async function wrapPrepared(context: CoreContext, prepared: readonly PreparedWrap[]): Promise<Map<string, WrappedMaterial>> {
  const wrapped = new Map<string, WrappedMaterial>();
  const byKey = new Map(prepared.map((entry) => [entry.record.id, entry]));
  const wrapOne = (entry: PreparedWrap, material: Uint8Array) => {
    const spec = KEY_SPECS[entry.record.spec];
    if (spec.kind === 'symmetric' && material.length !== spec.bytes) throw new ByokError('BACKUP_CORRUPT', `The backup of ${entry.record.alias ?? entry.record.id} has the wrong length; nothing was wrapped. Run \`byok backup verify --key ${entry.record.id}\`.`);
    wrapped.set(entry.record.id, wrapMaterial({ material, wrappingPublicKeySpki: entry.params.wrappingPublicKeySpki, algorithm: entry.algorithm, layout: entry.layout }));
  };
  const batches = new Map<string | null, PreparedWrap[]>();
  for (const entry of prepared) {
    const batch = batches.get(entry.record.batchId);
    if (batch) batch.push(entry);
    else batches.set(entry.record.batchId, [entry]);
  }
  for (const [batchId, entries] of batches) {
    if (entries.length === 1 || batchId === null) {
      for (const entry of entries) {
        const { material } = await context.backups.readKey(entry.record.id, { batchId: entry.record.batchId });
        try {
          wrapOne(entry, material);
        } finally {
          zeroize(material);
        }
      }
      continue;
    }
    // The store zeroes the batch after the walk; the material is used inside the visit only.
    await context.backups.forEachKey((backup, material) => {
      const entry = byKey.get(backup.keyId);
      if (!entry) return;
      if (backup.check.value !== entry.record.check.value) throw new ByokError('BACKUP_MISMATCH', `The backup of ${entry.record.id} has check value ${backup.check.value}, the vault records ${entry.record.check.value}. Nothing was wrapped.`);
      wrapOne(entry, material);
    }, { batchId });
  }
  const missing = prepared.filter((entry) => !wrapped.has(entry.record.id));
  if (missing.length) throw new ByokError('BACKUP_MISSING', `No readable keychain backup for ${missing.map((entry) => entry.record.id).join(', ')}; nothing was written. Run \`byok backup verify --all\`.`);
  return wrapped;
}

/** Writes one key's outputs (never overwriting) and records the bundle; the caller saves the vault. */
export async function writePrepared(context: CoreContext, entry: PreparedWrap, wrapped: WrappedMaterial, signer: CeremonySigner): Promise<OutputFile[]> {
  const { record, params } = entry;
  const nativeFiles = providerNativeFiles({ provider: params.provider, params, wrapped, materialExpiry: entry.materialExpiry, alias: record.alias });
  const createdAt = isoUtc(context.clock.now());
  const bundle = createBundle(
    {
      keyId: record.id,
      alias: record.alias,
      spec: record.spec,
      check: record.check,
      provider: params.provider,
      remoteKeyId: params.remoteKeyId,
      algorithm: entry.algorithm,
      layout: entry.layout,
      wrapped,
      importToken: params.importTokenText,
      parametersValidTo: params.parametersValidTo,
      materialExpiry: entry.materialExpiry,
      createdAt,
      files: nativeFiles.map((file) => ({ name: file.name, sha256: sha256Hex(file.bytes) })),
    },
    signer,
  );
  const files = await writeOutputs(entry.outDir, [...nativeFiles, { name: BUNDLE_FILE, bytes: bundle }]);
  const bundleFile = files.find((file) => file.name === BUNDLE_FILE)!;
  context.vault.bundles.insert({
    id: bundleFile.sha256,
    keyId: record.id,
    path: bundleFile.path,
    provider: params.provider,
    algorithm: entry.algorithm,
    createdAt,
    parametersValidTo: params.parametersValidTo,
    materialExpiry: entry.materialExpiry,
    sha256: bundleFile.sha256,
    remoteKeyId: params.remoteKeyId,
  });
  return files;
}

/** Recorded once the parameters passed every check (in one append for a bulk wrap). */
export function paramsLoadedEvent(entry: PreparedWrap, who: OperatorContext) {
  const { record, params } = entry;
  return {
    type: 'params.loaded' as const,
    ...operatorFields(who),
    data: { keyId: record.id, provider: params.provider, remoteKeyId: params.remoteKeyId, parametersValidTo: params.parametersValidTo, algorithm: entry.algorithm, file: basename(entry.paramsFile) },
  };
}

export function bundleEvent(entry: PreparedWrap, files: OutputFile[], who: OperatorContext) {
  return {
    type: 'bundle.written' as const,
    ...operatorFields(who),
    data: { keyId: entry.record.id, check: entry.record.check.value, provider: entry.params.provider, algorithm: entry.algorithm, parametersFile: basename(entry.paramsFile), files: files.map((file) => ({ name: file.name, sha256: file.sha256 })) },
  };
}

export async function wrapKey(context: CoreContext, request: WrapRequest, options: RunOptions = {}): Promise<WrapReply> {
  const record = requireKey(context, request.keyId);
  const params = await readParamsFile(request.paramsPath, request.algorithm, record.id).catch(async (error: unknown) => {
    await recordRefusal(context, 'wrap', error, request, { keyId: record.id });
    throw error;
  });
  const entry = await prepareWrap(context, { ...request, keyId: record.id, params, paramsFile: request.paramsPath });
  await context.audit.append(paramsLoadedEvent(entry, request));
  // The bundle is signed: a missing or different ceremony key is refused before the backup is read.
  const signer = await context.signer();
  options.onProgress?.({ operation: 'wrap', done: 0, total: 2, message: 'reading the keychain backup' });
  const wrapped = (await wrapPrepared(context, [entry])).get(record.id)!;
  options.onProgress?.({ operation: 'wrap', done: 1, total: 2, message: 'writing outputs' });
  const files = await writePrepared(context, entry, wrapped, signer);
  await context.audit.append(bundleEvent(entry, files, request));
  await context.vault.save();
  options.onProgress?.({ operation: 'wrap', done: 2, total: 2, message: 'done' });
  return { files, check: record.check, provider: params.provider, algorithm: entry.algorithm, warnings: entry.warnings };
}

export type { WrapAllRequest };

/** Wraps every key of a request file: all checked before any material is read, batches read once. */
export async function wrapRequestFile(context: CoreContext, request: WrapAllRequest, options: RunOptions = {}): Promise<{ keys: Array<WrapReply & { keyId: string }> }> {
  const requestFile = parseRequestFile(await readParamsText(request.paramsPath));
  if (!requestFile) throw new ByokError('INVALID_ARGUMENT', `${basename(request.paramsPath)} is a single provider response; name the key with --key.`);
  const prepared: PreparedWrap[] = [];
  for (const item of requestFile.entries) {
    const record = requireKey(context, item.keyId);
    const params = parseImportParameters(item.responseText, { fileName: basename(request.paramsPath), ...(request.algorithm ? { algorithm: request.algorithm } : {}) });
    refuseMislabelledEntry(item, params);
    prepared.push(await prepareWrap(context, { ...request, keyId: record.id, params, paramsFile: request.paramsPath, outDir: join(request.outDir, record.alias ?? record.id) }));
  }
  refuseSharedRemoteKeys(prepared.map((entry) => ({ keyId: entry.record.id, providerType: entry.params.provider, remoteKeyId: entry.params.remoteKeyId })));
  await context.audit.appendMany(prepared.map((entry) => paramsLoadedEvent(entry, request)));
  await context.signer(); // refused before any backup is read when the ceremony key is missing or another
  options.onProgress?.({ operation: 'wrap', done: 0, total: prepared.length, message: 'reading the keychain backups' });
  const wrapped = await wrapPrepared(context, prepared);
  const written = await writeWrappedOutputs(context, prepared, wrapped, request, options);
  return { keys: written.map(({ entry, files }) => ({ keyId: entry.record.id, files, check: entry.record.check, provider: entry.params.provider, algorithm: entry.algorithm, warnings: entry.warnings })) };
}

/**
 * Writes each key's outputs and records them (bundle rows, audit events, one save). When one key's
 * outputs cannot be written, the keys written before it are still recorded and saved before the error
 * is passed on, saying how far it got: files on disk are never left without their record.
 */
export async function writeWrappedOutputs(
  context: CoreContext,
  prepared: readonly PreparedWrap[],
  wrapped: ReadonlyMap<string, WrappedMaterial>,
  who: OperatorContext,
  options: RunOptions = {},
): Promise<Array<{ entry: PreparedWrap; files: OutputFile[] }>> {
  const signer = await context.signer();
  const written: Array<{ entry: PreparedWrap; files: OutputFile[] }> = [];
  const record = async () => {
    if (written.length === 0) return;
    await context.audit.appendMany(written.map(({ entry, files }) => bundleEvent(entry, files, who)));
    await context.vault.save();
  };
  try {
    for (const entry of prepared) {
      written.push({ entry, files: await writePrepared(context, entry, wrapped.get(entry.record.id)!, signer) });
      options.onProgress?.({ operation: 'wrap', done: written.length, total: prepared.length, message: entry.record.alias ?? entry.record.id });
    }
  } catch (error) {
    try {
      await record();
    } catch (recordError) {
      // Both failed: the first failure is what the user acts on; the second says the records are missing too.
      throw new ByokError(
        'STORAGE_FAILED',
        `${error instanceof ByokError ? error.message : 'Writing the outputs failed.'} Recording the ${written.length} output(s) already written failed as well (${recordError instanceof ByokError ? recordError.message : 'unknown error'}); their files are on disk without a record: verify them with \`byok bundle verify\`.`,
        undefined,
        { cause: error },
      );
    }
    if (!(error instanceof ByokError) || written.length === 0) throw error;
    throw new ByokError(error.code, `${error.message} The outputs of ${written.length} of ${prepared.length} key(s) were written and recorded before this; wrap the others again into a new output folder.`, error.details, { cause: error });
  }
  await record();
  return written;
}

/** The native file names depend only on the layout and provider, not on the ciphertext. */
function placeholderFor(layout: 'single' | 'split'): WrappedMaterial {
  return layout === 'single' ? { layout, ciphertext: new Uint8Array(0) } : { layout, encryptedKeyMaterial: new Uint8Array(0), encryptedPrivateKey: new Uint8Array(0) };
}
