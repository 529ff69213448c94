// A bulk ceremony in one pass: generate keys and wrap each for import under one provider response (a
// GCP import job or an Azure key-exchange key wraps many keys; AWS, Tencent and Huawei hand out
// parameters per key and go through `byok remote params` + `byok wrap --params REQUEST_FILE` instead).
// Every refusal of `byok wrap` happens before any material exists; each key is wrapped from the copy
// that its verified backup was written from (generate-keys.ts), so the keychain is read once, not twice.
import { join } from 'node:path';
import type { GenerateKeysReply, GenerateKeysRequest, GenerateWrapRequest } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import { isKeySpecName } from '../../../shared/key-specs.ts';
import { outputLayout } from '../../../shared/providers.ts';
import { checkWrapRequest, parseMaterialExpiry, type ImportParameters } from '../wrap/index.ts';
import type { CoreContext } from './context.ts';
import { aliasesFor, generateKeys, type GenerateOptions, type WrapTarget } from './generate-keys.ts';
import { requireKey } from './key-queries.ts';
import { recordRefusal } from './refusals.ts';
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
    const layout = outputLayout(params.provider, request.spec);
    const outDirs = new Map<string, string>();
    for (const alias of aliasesFor(request.alias, request.count ?? 1)) {
      const outDir = join(wrap.outDir, alias);
      refuseExistingOutputs({ outDir, params, layout, materialExpiry, alias });
      outDirs.set(alias, outDir);
    }
    return { target: { wrappingPublicKeySpki: params.wrappingPublicKeySpki, algorithm, layout }, params, materialExpiry, warnings, paramsFile: wrap.paramsPath, outDirs };
  } catch (error) {
    await recordRefusal(context, 'wrap', error, request);
    throw error;
  }
}

/** Generates the keys (each saved and backed up as `keys generate` does), then writes each key's outputs. */
export async function generateAndWrapKeys(context: CoreContext, request: GenerateKeysRequest & { wrap: GenerateWrapRequest }, options: GenerateOptions = {}): Promise<GenerateKeysReply> {
  const { wrap: _wrap, ...generateRequest } = request;
  const plan = await prepareNewKeysWrap(context, request);
  const generated = await generateKeys(context, generateRequest, { ...options, wrapFor: plan.target });
  const prepared: PreparedWrap[] = generated.keys.map((key) => ({
    record: requireKey(context, key.id),
    params: plan.params,
    algorithm: plan.target.algorithm,
    layout: plan.target.layout,
    materialExpiry: plan.materialExpiry,
    warnings: plan.warnings,
    outDir: plan.outDirs.get(key.alias!)!,
    paramsFile: plan.paramsFile,
  }));
  await context.audit.appendMany(prepared.map((entry) => paramsLoadedEvent(entry, request)));
  const written = await writeWrappedOutputs(context, prepared, generated.wrappedMaterial!, request, options).catch((error: unknown) => {
    if (!(error instanceof ByokError)) throw error;
    throw new ByokError(error.code, `All ${generated.keys.length} key(s) were generated, backed up and saved; writing their outputs failed: ${error.message}`, error.details, { cause: error });
  });
  return {
    keys: generated.keys,
    entropy: generated.entropy,
    outputs: { provider: plan.params.provider, algorithm: plan.target.algorithm, warnings: plan.warnings, keys: written.map(({ entry, files }) => ({ keyId: entry.record.id, files })) },
  };
}
