// Wrap one key for import: every refusal happens before the backup is read; the material is read from
// the keychain backup, checked against the vault's KCV/fingerprint, wrapped, and zeroed.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ParamsSummary, RunOptions, WrapReply, WrapRequest } from '../../../shared/ceremony-api.ts';
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
import type { CoreContext } from './context.ts';
import { requireKey } from './key-queries.ts';
import { operatorFields } from './validation.ts';
import { sha256Hex } from './hashing.ts';

const BUNDLE_FILE = 'bundle.json';
const MAX_PARAMS_FILE_BYTES = 1024 * 1024;

export async function readParamsFile(path: string, algorithm?: WrappingAlgorithm): Promise<ImportParameters> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_PARAMS_FILE_BYTES) throw new ByokError('PARAMS_MALFORMED', `${basename(path)} is larger than 1 MiB; an import-parameters file is a few kilobytes. Check that you picked the right file.`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof ByokError) throw error;
    throw new ByokError('FILE_NOT_FOUND', `Cannot read the parameters file ${path}. Check the path.`);
  }
  return parseImportParameters(text, { fileName: basename(path), ...(algorithm ? { algorithm } : {}) });
}

export async function inspectParams(context: CoreContext, request: { path: string; algorithm?: WrappingAlgorithm }): Promise<ParamsSummary> {
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

export async function wrapKey(context: CoreContext, request: WrapRequest, options: RunOptions = {}): Promise<WrapReply> {
  const record = requireKey(context, request.keyId);
  const who = operatorFields(request);
  const now = context.clock.now();
  let params: ImportParameters;
  let algorithm: WrappingAlgorithm;
  let warnings: string[];
  let materialExpiry: string | null;
  try {
    params = await readParamsFile(request.paramsPath, request.algorithm);
    ({ algorithm, warnings } = checkWrapRequest({ params, spec: record.spec, ...(request.algorithm ? { algorithm: request.algorithm } : {}), now }));
    materialExpiry = parseMaterialExpiry(request.materialExpiry, params.provider, now, record.spec);
  } catch (error) {
    if (error instanceof ByokError) await context.audit.append({ type: 'refusal', ...who, data: { operation: 'wrap', keyId: record.id, code: error.code, message: error.message } });
    throw error;
  }
  await context.audit.append({ type: 'params.loaded', ...who, data: { keyId: record.id, provider: params.provider, remoteKeyId: params.remoteKeyId, parametersValidTo: params.parametersValidTo, file: basename(request.paramsPath) } });

  const layout = outputLayout(params.provider, record.spec);
  // Refuse an existing output before reading the backup: outputs are never overwritten.
  const plannedNames = [BUNDLE_FILE, ...providerNativeFiles({ provider: params.provider, params, wrapped: placeholderFor(layout), materialExpiry, alias: record.alias }).map((file) => file.name)];
  const existing = plannedNames.filter((name) => existsSync(join(request.outDir, name)));
  if (existing.length) {
    const error = new ByokError('OUTPUT_EXISTS', `${existing.join(', ')} already exist in ${request.outDir}; outputs are never overwritten. Choose an empty output folder.`);
    await context.audit.append({ type: 'refusal', ...who, data: { operation: 'wrap', keyId: record.id, code: error.code, message: error.message } });
    throw error;
  }

  options.onProgress?.({ operation: 'wrap', done: 0, total: 2, message: 'reading the keychain backup' });
  const { material } = await context.backups.readKey(record.id, { batchId: record.batchId });
  let wrapped: WrappedMaterial;
  try {
    const spec = KEY_SPECS[record.spec];
    if (spec.kind === 'symmetric' && material.length !== spec.bytes) throw new ByokError('BACKUP_CORRUPT', `The backup of ${record.alias} has the wrong length; nothing was wrapped. Run \`byok backup verify --key ${record.id}\`.`);
    wrapped = wrapMaterial({ material, wrappingPublicKeySpki: params.wrappingPublicKeySpki, algorithm, layout });
  } finally {
    zeroize(material);
  }
  options.onProgress?.({ operation: 'wrap', done: 1, total: 2, message: 'writing outputs' });

  const nativeFiles = providerNativeFiles({ provider: params.provider, params, wrapped, materialExpiry, alias: record.alias });
  const signer = await context.signer();
  const createdAt = isoUtc(now);
  const bundle = createBundle(
    {
      keyId: record.id,
      alias: record.alias,
      spec: record.spec,
      check: record.check,
      provider: params.provider,
      remoteKeyId: params.remoteKeyId,
      algorithm,
      layout,
      wrapped,
      importToken: params.importTokenText,
      parametersValidTo: params.parametersValidTo,
      materialExpiry,
      createdAt,
      files: nativeFiles.map((file) => ({ name: file.name, sha256: sha256Hex(file.bytes) })),
    },
    signer,
  );
  const files = await writeOutputs(request.outDir, [...nativeFiles, { name: BUNDLE_FILE, bytes: bundle }]);
  const bundlePath = files.find((file) => file.name === BUNDLE_FILE)!;
  context.vault.bundles.insert({
    id: bundlePath.sha256,
    keyId: record.id,
    path: bundlePath.path,
    provider: params.provider,
    algorithm,
    createdAt,
    parametersValidTo: params.parametersValidTo,
    materialExpiry,
    sha256: bundlePath.sha256,
  });
  await context.audit.append({ type: 'bundle.written', ...who, data: { keyId: record.id, check: record.check.value, provider: params.provider, algorithm, files: files.map((file) => ({ name: file.name, sha256: file.sha256 })) } });
  await context.vault.save();
  options.onProgress?.({ operation: 'wrap', done: 2, total: 2, message: 'done' });
  return { files, check: record.check, provider: params.provider, algorithm, warnings };
}

/** The native file names depend only on the layout and provider, not on the ciphertext. */
function placeholderFor(layout: 'single' | 'split'): WrappedMaterial {
  return layout === 'single' ? { layout, ciphertext: new Uint8Array(0) } : { layout, encryptedKeyMaterial: new Uint8Array(0), encryptedPrivateKey: new Uint8Array(0) };
}
