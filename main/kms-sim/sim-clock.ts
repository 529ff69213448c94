// The simulator's own clock: it may run faster than real time (--clock-speed) and be pushed forward
// (POST /__admin/clock), so that 24-hour token validity and material expiry can be tested in seconds.
// It never goes backwards, also across restarts (the last reading is persisted with the state).

export interface SimClock {
  now(): Date;
  advance(milliseconds: number): void;
}

export function createSimClock(options: { speed: number; notBefore: number; realNow?: () => number }): SimClock {
  const realNow = options.realNow ?? Date.now;
  const realStart = realNow();
  const simStart = Math.max(realStart, options.notBefore);
  let advanced = 0;
  return {
    now: () => new Date(simStart + (realNow() - realStart) * options.speed + advanced),
    advance: (milliseconds: number) => {
      if (!Number.isFinite(milliseconds) || milliseconds < 0) throw new Error('The simulator clock only moves forward.');
      advanced += milliseconds;
    },
  };
}
