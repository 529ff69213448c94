// Decides, before any material is touched, whether a wrap with these parameters can succeed at the
// provider: deadline, wrapping key, key spec and algorithm, all asked of the provider table.
import { ByokError } from '../../../shared/errors.ts';
import type { KeySpecName } from '../../../shared/key-specs.ts';
import {
  PROVIDERS,
  WRAPPING_ALGORITHM_FACTS,
  acceptedAlgorithms,
  acceptedSpecs,
  algorithmForParameters,
  isWrappingAlgorithm,
  type WrappingAlgorithm,
} from '../../../shared/providers.ts';
import { isoUtc } from '../clock.ts';
import type { ImportParameters } from './import-params.ts';

export interface WrapRequest {
  params: ImportParameters;
  spec: KeySpecName;
  algorithm?: WrappingAlgorithm;
  now: Date;
}

export interface WrapDecision {
  algorithm: WrappingAlgorithm;
  warnings: string[];
}

const WARN_BEFORE_DEADLINE_MS = 3_600_000;
/**
 * Slack on top of a provider's own validity before a deadline is called impossible: the air-gapped
 * machine's clock may be somewhat behind the KMS's.
 */
const DEADLINE_SLACK_MS = 24 * 3_600_000;

function checkDeadline(params: ImportParameters, now: Date, warnings: string[]): void {
  if (params.parametersValidTo === null) return;
  const deadline = Date.parse(params.parametersValidTo);
  const left = deadline - now.getTime();
  if (left <= 0) {
    throw new ByokError(
      'PARAMS_EXPIRED',
      `The import parameters expired at ${params.parametersValidTo} (UTC); it is now ${isoUtc(now)} (UTC). Get new import parameters from ${PROVIDERS[params.provider].displayName} and wrap again.`,
      { parametersValidTo: params.parametersValidTo },
    );
  }
  const validityHours = PROVIDERS[params.provider].parametersValidityHours;
  if (validityHours !== null && left > validityHours * 3_600_000 + DEADLINE_SLACK_MS) {
    // No provider hands out parameters like these: the file is not its response, or this clock is wrong
    // (and then every deadline check here would be wrong too).
    throw new ByokError(
      'PARAMS_MALFORMED',
      `The import parameters say they are valid until ${params.parametersValidTo} (UTC), ${Math.round(left / 3_600_000)} hours from now (${isoUtc(now)} UTC by this machine's clock); ${PROVIDERS[params.provider].displayName} issues parameters valid for ${validityHours} hours. Check this machine's clock, and that the file is the provider's own response.`,
      { parametersValidTo: params.parametersValidTo },
    );
  }
  if (left < WARN_BEFORE_DEADLINE_MS) {
    warnings.push(`The import parameters expire at ${params.parametersValidTo} (UTC), in ${Math.floor(left / 60_000)} minutes: import the wrapped material before then.`);
  }
}

function checkWrappingKey(params: ImportParameters): void {
  const provider = PROVIDERS[params.provider];
  if (params.declaredWrappingKeySpec !== undefined && params.declaredWrappingKeySpec !== params.wrappingKeySpec) {
    throw new ByokError(
      'WRAPPING_KEY_MISMATCH',
      `The parameters declare a ${params.declaredWrappingKeySpec} wrapping key but the public key is ${params.wrappingKeySpec}. The file was altered or mixed up; get new import parameters.`,
    );
  }
  if (!provider.wrappingKeySpecs.includes(params.wrappingKeySpec)) {
    throw new ByokError(
      'WRAPPING_KEY_MISMATCH',
      `${provider.displayName} issues ${provider.wrappingKeySpecs.join(', ')} wrapping keys, but this public key is ${params.wrappingKeySpec}. Check that the file comes from ${provider.displayName}; get new import parameters.`,
    );
  }
}

function chooseAlgorithm(params: ImportParameters, spec: KeySpecName, requested: WrappingAlgorithm | undefined): WrappingAlgorithm {
  const accepted = acceptedAlgorithms(params.provider, spec);
  const fromFile = params.algorithm === null ? null : algorithmForParameters(params.provider, spec, params.algorithm);
  if (fromFile !== null && requested !== undefined && fromFile !== requested) {
    throw new ByokError('INVALID_ARGUMENT', `The import parameters were issued for ${fromFile}, but ${requested} was asked for. Drop --algorithm or get parameters for ${requested}.`);
  }
  const chosen = requested ?? fromFile ?? (accepted.length === 1 ? accepted[0]! : null);
  if (chosen === null) {
    throw new ByokError('INVALID_ARGUMENT', `The import parameters do not say which wrapping algorithm they were issued for: pass --algorithm, one of ${accepted.join(', ')}.`);
  }
  if (!isWrappingAlgorithm(chosen) || !accepted.includes(chosen)) {
    throw new ByokError(
      'ALGORITHM_NOT_ACCEPTED',
      `${PROVIDERS[params.provider].displayName} does not accept ${chosen} for ${spec}; it accepts ${accepted.join(', ')}. Get parameters for one of those.`,
      { accepted },
    );
  }
  return chosen;
}

/** Refuses a wrap that the provider would reject; returns the algorithm to use and any warnings. */
export function checkWrapRequest(input: WrapRequest): WrapDecision {
  const warnings: string[] = [];
  const { params, spec } = input;
  checkDeadline(params, input.now, warnings);
  const specs = acceptedSpecs(params.provider);
  if (!specs.includes(spec)) {
    throw new ByokError(
      'SPEC_NOT_ACCEPTED',
      `${PROVIDERS[params.provider].displayName} cannot import ${spec} keys; it imports ${specs.join(', ')}. Choose a key of one of those specs.`,
      { accepted: specs },
    );
  }
  checkWrappingKey(params);
  const algorithm = chooseAlgorithm(params, spec, input.algorithm);
  if (WRAPPING_ALGORITHM_FACTS[algorithm].legacy) {
    warnings.push(`${algorithm} is a legacy padding kept only because ${PROVIDERS[params.provider].displayName} still offers it; prefer RSAES_OAEP_SHA_256.`);
  }
  return { algorithm, warnings };
}
