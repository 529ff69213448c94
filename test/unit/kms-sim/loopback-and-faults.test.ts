import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../main/kms-sim/faults.ts';
import { isLoopbackHost } from '../../../main/kms-sim/loopback.ts';

describe('the simulator loopback rule', () => {
  it('accepts 127.0.0.0/8, ::1 and localhost', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(host)).toBe(true);
  });
  it('refuses every other address or name', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.0.2', '128.0.0.1', '::ffff:10.0.0.1', 'example.com', '']) expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('the simulator fault injector', () => {
  it('replays the same faults for the same seed and injects none at rate 0', () => {
    const draws = (seed: number): Array<string | null> => {
      const injector = new FaultInjector();
      injector.configure({ rate: 0.3, kinds: ['5xx', 'drop'], seed });
      return Array.from({ length: 200 }, () => injector.draw());
    };
    expect(draws(3)).toEqual(draws(3));
    const faults = draws(3).filter((kind) => kind !== null).length;
    expect(faults).toBeGreaterThan(30);
    expect(faults).toBeLessThan(90);
    const quiet = new FaultInjector();
    expect(Array.from({ length: 50 }, () => quiet.draw()).every((kind) => kind === null)).toBe(true);
  });
  it('refuses unknown kinds and rates outside [0, 1]', () => {
    const injector = new FaultInjector();
    expect(() => injector.configure({ rate: 2, kinds: ['5xx'] })).toThrow(/rate/);
    expect(() => injector.configure({ rate: 0.5, kinds: ['meteor'] })).toThrow(/unknown fault kind/);
  });
});
