// Reads and checks one planned key's import-parameters file with the wrap core's own rules, so a plan
// check refuses exactly what the wrap would refuse later (deadline, spec, wrapping key, algorithm,
// material expiry).
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ByokError } from '../../../shared/errors.ts';
import type { KeySpecName } from '../../../shared/key-specs.ts';
import type { ProviderId, WrappingAlgorithm } from '../../../shared/providers.ts';
import { checkWrapRequest } from '../wrap/check-params.ts';
import { parseImportParameters, type ImportParameters } from '../wrap/import-params.ts';
import { parseMaterialExpiry } from '../wrap/material-expiry.ts';

const MAX_PARAMS_FILE_BYTES = 1024 * 1024;

/** What a reviewer needs to know about a params file; never the token. */
export interface ParamsBrief {
  provider: ProviderId;
  remoteKeyId: string | null;
  wrappingKeySpec: string;
  wrappingKeyBits: number;
  /** The algorithm the wrap will use (from the plan, else the file, else the provider's only one). */
  algorithm: WrappingAlgorithm | null;
  parametersValidTo: string | null;
  warnings: string[];
}

export async function readParamsFile(path: string, algorithm?: WrappingAlgorithm): Promise<ImportParameters> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ByokError('FILE_NOT_FOUND', `${path} is not a file.`);
    if (info.size > MAX_PARAMS_FILE_BYTES) throw new ByokError('PARAMS_MALFORMED', `${basename(path)} is larger than 1 MiB; an import-parameters file is a few kilobytes.`);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof ByokError) throw error;
    throw new ByokError('FILE_NOT_FOUND', `Cannot read the import-parameters file ${path}. Check the path in the plan.`);
  }
  return parseImportParameters(bytes.toString('utf8'), { fileName: basename(path), ...(algorithm ? { algorithm } : {}) });
}

export interface ParamsCheckInput {
  path: string;
  spec: KeySpecName;
  algorithm?: WrappingAlgorithm;
  materialExpiry?: string;
  at: Date;
  /** Rehearsals stand in fresh parameters for the real ones: the real file need not be valid still. */
  ignoreDeadline?: boolean;
}

/** Throws the core's ByokError for the first refusal; returns the brief when the wrap can go ahead. */
export async function checkParamsFile(input: ParamsCheckInput): Promise<ParamsBrief> {
  const params = await readParamsFile(input.path, input.algorithm);
  const checkedParams = input.ignoreDeadline ? { ...params, parametersValidTo: null } : params;
  const decision = checkWrapRequest({ params: checkedParams, spec: input.spec, now: input.at, ...(input.algorithm ? { algorithm: input.algorithm } : {}) });
  parseMaterialExpiry(input.materialExpiry, params.provider, input.at, input.spec);
  return {
    provider: params.provider,
    remoteKeyId: params.remoteKeyId,
    wrappingKeySpec: params.wrappingKeySpec,
    wrappingKeyBits: params.wrappingKeyBits,
    algorithm: decision.algorithm,
    parametersValidTo: params.parametersValidTo,
    warnings: decision.warnings,
  };
}
