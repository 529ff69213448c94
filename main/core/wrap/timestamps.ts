// Provider timestamps at the edge: ISO 8601 with an explicit zone, or epoch numbers. Inside, every
// deadline is an ISO-8601 UTC string (isoUtc).

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** An ISO 8601 instant with a zone (Z or ±hh:mm); a time without a zone is ambiguous and refused. */
export function parseIsoInstant(text: string): Date | null {
  if (!ISO_INSTANT.test(text)) return null;
  // Date.parse takes at most millisecond precision; AWS CLI prints microseconds.
  const trimmed = text.replace(/(\.\d{3})\d+/, '$1');
  const time = Date.parse(trimmed);
  return Number.isFinite(time) ? new Date(time) : null;
}

// Above this an "epoch seconds" value would be past the year 5000: it is milliseconds. Huawei's docs
// show both units for expiration_time; reading milliseconds as seconds would push a deadline into the
// far future, which is the unsafe direction, so the unit is decided by size.
const MILLISECONDS_THRESHOLD = 100_000_000_000;

/** Epoch seconds (fractional allowed) or, when implausibly large, milliseconds. */
export function epochToDate(value: number): Date | null {
  if (!Number.isFinite(value) || value <= 0) return null;
  const milliseconds = value >= MILLISECONDS_THRESHOLD ? value : value * 1000;
  const date = new Date(Math.floor(milliseconds));
  return Number.isNaN(date.getTime()) ? null : date;
}
