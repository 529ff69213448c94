// SP 800-90B section 4.4 continuous health tests on byte samples: the repetition count test (a stuck
// source) and the adaptive proportion test (a source that lost much of its entropy). Cutoffs and the
// reasons for alpha and the claimed min-entropy are in health-cutoffs.ts.
import {
  ADAPTIVE_PROPORTION_CUTOFF,
  ADAPTIVE_PROPORTION_WINDOW,
  REPETITION_COUNT_CUTOFF,
} from './health-cutoffs.ts';

export interface HealthReport {
  standard: 'SP 800-90B 4.4';
  samples: number;
  repetitionCount: { cutoff: number; longestRun: number; passed: boolean };
  adaptiveProportion: { window: number; cutoff: number; maxCount: number; passed: boolean };
  passed: boolean;
}

/**
 * Runs both tests over every sample. The report holds counts only, never sample values.
 * The adaptive proportion test runs over consecutive, non-overlapping windows of 512 samples (90B:
 * the first sample of a window is A, count how often A occurs in the window); a last, partial window
 * is tested too, as a continuous test would, since a count reaching the cutoff in fewer samples is
 * only less likely for a healthy source.
 */
export function runHealthTests(samples: Uint8Array): HealthReport {
  let longestRun = 0;
  let run = 0;
  for (let i = 0; i < samples.length; i++) {
    run = i > 0 && samples[i] === samples[i - 1] ? run + 1 : 1;
    if (run > longestRun) longestRun = run;
  }

  let maxCount = 0;
  for (let start = 0; start < samples.length; start += ADAPTIVE_PROPORTION_WINDOW) {
    const end = Math.min(start + ADAPTIVE_PROPORTION_WINDOW, samples.length);
    const first = samples[start];
    let count = 0;
    for (let i = start; i < end; i++) if (samples[i] === first) count++;
    if (count > maxCount) maxCount = count;
  }

  const repetitionPassed = longestRun < REPETITION_COUNT_CUTOFF;
  const proportionPassed = maxCount < ADAPTIVE_PROPORTION_CUTOFF;
  return {
    standard: 'SP 800-90B 4.4',
    samples: samples.length,
    repetitionCount: { cutoff: REPETITION_COUNT_CUTOFF, longestRun, passed: repetitionPassed },
    adaptiveProportion: {
      window: ADAPTIVE_PROPORTION_WINDOW,
      cutoff: ADAPTIVE_PROPORTION_CUTOFF,
      maxCount,
      passed: proportionPassed,
    },
    passed: repetitionPassed && proportionPassed && samples.length > 0,
  };
}
