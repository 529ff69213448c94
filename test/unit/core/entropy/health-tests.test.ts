import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runHealthTests } from '../../../../main/core/entropy/index.ts';

function repeating(pattern: number[], length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => pattern[i % pattern.length]!);
}

describe('runHealthTests', () => {
  it('passes OS random bytes and reports counts below the cutoffs', () => {
    const report = runHealthTests(randomBytes(4096));
    expect(report.standard).toBe('SP 800-90B 4.4');
    expect(report.samples).toBe(4096);
    expect(report.passed).toBe(true);
    expect(report.repetitionCount).toMatchObject({ cutoff: 11, passed: true });
    expect(report.repetitionCount.longestRun).toBeLessThan(11);
    expect(report.adaptiveProportion).toMatchObject({ window: 512, cutoff: 78, passed: true });
    expect(report.adaptiveProportion.maxCount).toBeGreaterThanOrEqual(1);
  });

  it('fails a stuck source (all zeros) on both tests', () => {
    const report = runHealthTests(new Uint8Array(1024));
    expect(report.passed).toBe(false);
    expect(report.repetitionCount).toMatchObject({ longestRun: 1024, passed: false });
    expect(report.adaptiveProportion).toMatchObject({ maxCount: 512, passed: false });
  });

  it('fails a source that alternates two values on the adaptive proportion test', () => {
    const report = runHealthTests(repeating([0xaa, 0x55], 1024));
    expect(report.repetitionCount.passed).toBe(true);
    expect(report.adaptiveProportion).toMatchObject({ maxCount: 256, passed: false });
    expect(report.passed).toBe(false);
  });

  it('fails a source that repeats a 6-byte pattern (86 hits in a window, cutoff 78)', () => {
    const report = runHealthTests(repeating([1, 2, 3, 4, 5, 6], 1024));
    expect(report.adaptiveProportion.maxCount).toBe(86);
    expect(report.passed).toBe(false);
  });

  it('fails a run of exactly 11 equal bytes in otherwise random data, and passes a run of 10', () => {
    const samples = Uint8Array.from({ length: 1024 }, (_, i) => i % 251);
    samples.fill(7, 300, 310);
    expect(runHealthTests(samples).repetitionCount).toMatchObject({ longestRun: 10, passed: true });
    samples[310] = 7;
    expect(runHealthTests(samples).repetitionCount).toMatchObject({ longestRun: 11, passed: false });
  });

  it('counts the adaptive proportion per window of 512, from the first sample of each window', () => {
    // 77 copies of the window's first value pass; 78 fail. The second window starts with a fresh value.
    const samples = Uint8Array.from({ length: 1024 }, (_, i) => 1 + (i % 250));
    for (let i = 0; i < 77; i++) samples[i * 6] = 0;
    expect(runHealthTests(samples).adaptiveProportion).toMatchObject({ maxCount: 77, passed: true });
    samples[500] = 0;
    expect(runHealthTests(samples).adaptiveProportion).toMatchObject({ maxCount: 78, passed: false });
  });

  it('does not pass an empty sample: no samples prove nothing', () => {
    expect(runHealthTests(new Uint8Array(0)).passed).toBe(false);
  });
});
