// A bulk ceremony in one pass: generate keys and wrap each for import under one provider response (a
// GCP import job or an Azure key-exchange key wraps many keys; AWS, Tencent and Huawei hand out
// parameters per key and go through `byok remote params` + `byok wrap --params REQUEST_FILE` instead).
// Every refusal of `byok wrap` happens before any material exists; each key is wrapped from the copy
// that its verified backup was written from (generate-keys.ts), so the keychain is read once, not twice.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GenerateKeysReply, GenerateKeysRequest, GenerateWrapRequest } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import { isKeySpecName } from '../../../shared/key-specs.ts';
import { outputLayout } from '../../../shared/providers.ts';
import { checkWrapRequest, parseMaterialExpiry, type ImportParameters, type WrappedMaterial } from '../wrap/index.ts';
import type { CoreContext } from './context.ts';
import type { KeyRecord } from '../vault/index.ts';
import { aliasesFor, generateKeys, type GenerateOptions, type WrapTarget } from './generate-keys.ts';
import { requireKey } from './key-queries.ts';
import { recordRefusal } from './refusals.ts';
import { refuseRemoteKeyOfAnotherKey } from './remote-key-owner.ts';
import { paramsLoadedEvent, readProviderResponseFile, refuseExistingOutputs, writeWrappedOutputs, type PreparedWrap } from './wrap-key.ts';

/** The checked wrap of a run's keys: nothing about it depends on material. */
export interface NewKeysWrap {
  target: WrapTarget;
  params: ImportParameters;
  materialExpiry: string | null;
  warnings: string[];
  paramsFile: string;
  /** Output folder per alias. */
  outDirs: Map<string, string>;
}

/** Every check of a wrap, for keys that do not exist yet; a refusal is recorded and nothing is generated. */
export async function prepareNewKeysWrap(context: CoreContext, request: GenerateKeysRequest & { wrap: GenerateWrapRequest }): Promise<NewKeysWrap> {
  const { wrap } = request;
  try {
    if (!isKeySpecName(request.spec)) throw new ByokError('KEY_SPEC_INVALID', `Unknown key spec "${String(request.spec)}".`);
    const params = await readProviderResponseFile(wrap.paramsPath, wrap.algorithm);
    const now = context.clock.now();
    const { algorithm, warnings } = checkWrapRequest({ params, spec: request.spec, ...(wrap.algorithm ? { algorithm: wrap.algorithm } : {}), now });
    const materialExpiry = parseMaterialExpiry(wrap.materialExpiry, params.provider, now, request.spec);
    if (params.remoteKeyId !== null && (request.count ?? 1) > 1) {
      throw new ByokError(
        'PARAMS_KEY_MISMATCH',
        `These ${params.provider} parameters are for one remote key (${params.remoteKeyId}), which takes one material forever; they cannot serve ${request.count} new keys. Generate the keys, create a remote key for each and wrap with \`byok remote params\` + \`byok wrap --params REQUEST_FILE\`.`,
        { remoteKeyId: params.remoteKeyId },
      );
    }
    refuseRemoteKeyOfAnotherKey(context.vault, { keyId: null, providerType: params.provider, remoteKeyId: params.remoteKeyId });
    const layout = outputLayout(params.provider, request.spec);
    const aliases = aliasesFor(request.alias, request.count ?? 1);
    const outDirs = new Map(aliases.map((alias) => [alias, join(wrap.outDir, alias)]));
    for (const alias of foldersToCheck(wrap.outDir, aliases)) refuseExistingOutputs({ outDir: outDirs.get(alias)!, params, layout, materialExpiry, alias });
    return { target: { wrappingPublicKeySpki: params.wrappingPublicKeySpki, algorithm, layout }, params, materialExpiry, warnings, paramsFile: wrap.paramsPath, outDirs };
  } catch (error) {
    await recordRefusal(context, 'wrap', error, request);
    throw error;
  }
}

/**
 * The aliases whose output folder needs the full check, from one listing of `outDir` instead of a few
 * looks per alias (a bulk run prepares a thousand folders). An alias's folder (or, for an alias with a
 * "/", its first part) that is not in the listing does not exist, so none of its files can. Names are
 * compared folded (NFC, lower case) because macOS and Windows folders are case-insensitive: a near match
 * only costs the full check. When `outDir` is missing or a file, the first alias's full check stands for
 * all (it refuses an ancestor that is a file; a missing folder holds nothing); any other listing error
 * gets every alias the full check.
 */
export function foldersToCheck(outDir: string, aliases: readonly string[]): readonly string[] {
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? aliases.slice(0, 1) : aliases;
  }
  const fold = (name: string) => name.normalize('NFC').toLowerCase();
  const present = new Set(names.map(fold));
  return aliases.filter((alias) => {
    const folder = alias.split('/').find((part) => part !== '');
    return folder === undefined || present.has(fold(folder)); // "/" alone is outDir itself: always checked
  });
}

/** The vault records of a just-saved batch's keys: one query for the batch, not one per key. */
function savedRecords(context: CoreContext, keys: GenerateKeysReply['keys']): Map<string, KeyRecord> {
  const first = requireKey(context, keys[0]!.id);
  const batch = new Map((first.batchId ? context.vault.keys.list({ batchId: first.batchId }) : [first]).map((record) => [record.id, record]));
  return new Map(keys.map((key) => [key.id, batch.get(key.id) ?? requireKey(context, key.id)]));
}

/**
 * Generates the keys (each batch saved and backed up as `keys generate` does) and writes each batch's
 * outputs as soon as the batch is saved, so a failure in a later batch never costs the outputs of the
 * batches before it.
 */
export async function generateAndWrapKeys(context: CoreContext, request: GenerateKeysRequest & { wrap: GenerateWrapRequest }, options: GenerateOptions = {}): Promise<GenerateKeysReply> {
  const { wrap: _wrap, ...generateRequest } = request;
  const plan = await prepareNewKeysWrap(context, request);
  const outputs: NonNullable<GenerateKeysReply['outputs']>['keys'] = [];
  let saved = 0;
  const writeBatchOutputs = async (keys: GenerateKeysReply['keys'], wrapped: ReadonlyMap<string, WrappedMaterial>): Promise<void> => {
    const records = savedRecords(context, keys);
    const prepared: PreparedWrap[] = keys.map((key) => ({
      record: records.get(key.id)!,
      params: plan.params,
      algorithm: plan.target.algorithm,
      layout: plan.target.layout,
      materialExpiry: plan.materialExpiry,
      warnings: plan.warnings,
      outDir: plan.outDirs.get(key.alias!)!,
      paramsFile: plan.paramsFile,
    }));
    await context.audit.appendMany(prepared.map((entry) => paramsLoadedEvent(entry, request)));
    const written = await writeWrappedOutputs(context, prepared, wrapped, request, options).catch((error: unknown) => {
      if (!(error instanceof ByokError)) throw error;
      const earlier = outputs.length > 0 ? ` The outputs of the ${outputs.length} key(s) of earlier batches were written.` : '';
      throw new ByokError(error.code, `${saved} key(s) were generated, backed up and saved.${earlier} Writing the outputs of the last batch failed: ${error.message}`, error.details, { cause: error });
    });
    for (const { entry, files } of written) outputs.push({ keyId: entry.record.id, files });
  };
  const generated = await generateKeys(context, generateRequest, {
    ...options,
    wrapFor: plan.target,
    onSaved: (keys) => {
      saved += keys.length;
      options.onSaved?.(keys);
    },
    onBatchWrapped: writeBatchOutputs,
  });
  return {
    keys: generated.keys,
    entropy: generated.entropy,
    outputs: { provider: plan.params.provider, algorithm: plan.target.algorithm, warnings: plan.warnings, keys: outputs },
  };
}
