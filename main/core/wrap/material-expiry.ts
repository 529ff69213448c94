// The expiry a user asks for the imported material, checked against the provider's limits (from the
// provider table) before anything is wrapped.
import { ByokError } from '../../../shared/errors.ts';
import { KEY_SPECS, type KeySpecName } from '../../../shared/key-specs.ts';
import { PROVIDERS, type ProviderId } from '../../../shared/providers.ts';
import { isoUtc } from '../clock.ts';
import { parseIsoInstant } from './timestamps.ts';

const DAY_MS = 86_400_000;

function invalid(message: string): ByokError {
  return new ByokError('MATERIAL_EXPIRY_INVALID', message);
}

/**
 * `undefined` or 'never' → null (the material does not expire); an ISO 8601 instant with a zone →
 * ISO-8601 UTC. `spec` lets providers refuse an expiry for families whose material never expires.
 */
export function parseMaterialExpiry(value: string | undefined, provider: ProviderId, now: Date, spec?: KeySpecName): string | null {
  if (value === undefined || value === 'never') return null;
  const facts = PROVIDERS[provider];
  const rule = facts.materialExpiry;
  if (!rule.supported) throw invalid(`${facts.displayName} imports take no material expiry; pass --material-expiry never.`);
  const family = spec === undefined ? undefined : KEY_SPECS[spec].family;
  if (family !== undefined && rule.neverExpiresFamilies?.includes(family)) {
    throw invalid(`${facts.displayName} ${family} keys with imported material never expire; pass --material-expiry never.`);
  }
  const date = parseIsoInstant(value);
  if (date === null) throw invalid(`Material expiry "${value}" is not an ISO 8601 time with a zone (e.g. 2027-01-31T00:00:00Z), nor "never".`);
  const expiry = new Date(Math.floor(date.getTime() / 1000) * 1000);
  if (expiry.getTime() <= now.getTime()) throw invalid(`Material expiry ${isoUtc(expiry)} (UTC) is not in the future (now ${isoUtc(now)} UTC).`);
  if (rule.maxDaysAhead !== undefined && expiry.getTime() > now.getTime() + rule.maxDaysAhead * DAY_MS) {
    throw invalid(`${facts.displayName} accepts a material expiry at most ${rule.maxDaysAhead} days ahead (until ${isoUtc(new Date(now.getTime() + rule.maxDaysAhead * DAY_MS))} UTC); ${isoUtc(expiry)} is later.`);
  }
  if (rule.maxUnixSeconds !== undefined && expiry.getTime() / 1000 > rule.maxUnixSeconds) {
    throw invalid(`${facts.displayName} accepts a material expiry up to ${isoUtc(new Date(rule.maxUnixSeconds * 1000))} UTC; ${isoUtc(expiry)} is later.`);
  }
  return isoUtc(expiry);
}
