// Decisions for a renewal, asked of the provider table: which wrapping algorithm to use for a spec, and
// which material expiry to ask for (the same lifetime as the material had, within the provider's limits).
import { KEY_SPECS, type KeySpecName } from '../../../../shared/key-specs.ts';
import { PROVIDERS, acceptedAlgorithms, type ProviderId, type WrappingAlgorithm } from '../../../../shared/providers.ts';
import { ByokError } from '../../../../shared/errors.ts';
import { isoUtc } from '../../clock.ts';

const DAY_MS = 86_400_000;
/** The lifetime asked for when the previous one is unknown: a year (AWS's maximum). */
export const DEFAULT_VALIDITY_SECONDS = 365 * 86_400;

/** SHA-256 over SHA-1, and for private keys the two-layer wrap they need. */
const PREFERENCE: readonly WrappingAlgorithm[] = ['RSA_AES_KEY_WRAP_SHA_256', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSAES_OAEP_SHA_1', 'RSAES_PKCS1_V1_5'];

/**
 * Whether the provider takes a re-import while the key is still Enabled (to push the expiry out before
 * the material goes). AWS and Tencent do (Tencent: "only Enabled or PendingImport keys can import");
 * Huawei imports only into a key pending import, so there an expiring key is renewed once it expired.
 */
const REIMPORT_WHILE_ENABLED: Readonly<Record<string, boolean>> = Object.freeze({ aws: true, tencent: true, huawei: false });

export function reimportWhileEnabled(provider: ProviderId): boolean {
  return REIMPORT_WHILE_ENABLED[provider] ?? false;
}

export function preferredAlgorithm(provider: ProviderId, spec: KeySpecName): WrappingAlgorithm {
  const accepted = acceptedAlgorithms(provider, spec);
  const chosen = PREFERENCE.find((algorithm) => accepted.includes(algorithm));
  if (!chosen) throw new ByokError('SPEC_NOT_ACCEPTED', `${PROVIDERS[provider].displayName} does not import ${spec} keys.`);
  return chosen;
}

export function materialNeverExpires(provider: ProviderId, spec: KeySpecName): boolean {
  const rule = PROVIDERS[provider].materialExpiry;
  return !rule.supported || (rule.neverExpiresFamilies ?? []).includes(KEY_SPECS[spec].family);
}

/** The expiry for re-imported material: now + the previous lifetime, clamped to the provider's limits. */
export function renewalExpiry(provider: ProviderId, spec: KeySpecName, validitySeconds: number | null, now: Date): string | null {
  if (materialNeverExpires(provider, spec)) return null;
  const rule = PROVIDERS[provider].materialExpiry;
  let expiry = now.getTime() + Math.max(3600, validitySeconds ?? DEFAULT_VALIDITY_SECONDS) * 1000;
  if (rule.maxDaysAhead !== undefined) expiry = Math.min(expiry, now.getTime() + rule.maxDaysAhead * DAY_MS - 60_000);
  if (rule.maxUnixSeconds !== undefined) expiry = Math.min(expiry, rule.maxUnixSeconds * 1000);
  return isoUtc(new Date(Math.floor(expiry / 1000) * 1000));
}
