// Provider timestamps at the edge: ISO 8601 with an explicit zone, or epoch numbers. Inside, every
// deadline is an ISO-8601 UTC string (isoUtc).

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/i;

/**
 * An ISO 8601 instant with a zone (Z or ±hh:mm); a time without a zone is ambiguous and refused, and so
 * is any field out of its calendar range (2027-02-30, month 13, 24:00:00). Date.parse would roll those
 * over into another day silently, and a deadline a day off is worse than a refusal.
 */
export function parseIsoInstant(text: string): Date | null {
  const match = ISO_INSTANT.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((group) => Number(match[group] ?? '0')) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (match[9] !== undefined && (Number(match[10]) > 23 || Number(match[11]) > 59)) return null;
  // Date.parse takes at most millisecond precision; AWS CLI prints microseconds.
  const trimmed = text.replace(/(\.\d{3})\d+/, '$1');
  const time = Date.parse(trimmed);
  return Number.isFinite(time) ? new Date(time) : null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
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
