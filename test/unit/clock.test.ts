import { describe, expect, it } from 'vitest';
import { FixedClock, isoUtc } from '../../main/core/clock.ts';

describe('clock', () => {
  it('formats timestamps as ISO-8601 UTC without milliseconds', () => {
    expect(isoUtc(new Date('2026-11-25T10:00:00.123Z'))).toBe('2026-11-25T10:00:00Z');
  });
  it('moves a fixed clock only when told', () => {
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    clock.advance(3_600_000);
    expect(isoUtc(clock.now())).toBe('2026-01-01T01:00:00Z');
  });
});
