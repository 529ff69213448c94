// What a key's metadata records about the randomness behind it: which sources, how many bytes each, and
// the health report. Never the entropy itself, nor a hash of it (a hash of low-entropy operator input,
// such as a few dice rolls, could be brute-forced back).
import type { HealthReport } from './health-tests.ts';

export type EntropySourceKind = 'os-csprng' | 'operator-file' | 'operator-dice';

// A type alias rather than an interface so that it is assignable to plain JSON record types
// (Record<string, unknown>) where the vault stores it.
export type EntropyEvidence = {
  sources: Array<{ kind: EntropySourceKind; label: string; bytes: number }>;
  health: HealthReport;
  /**
   * Set when the key came from a draw shared by several keys: the whole draw (`bytes`, for `keys` keys)
   * is what `health` tested as one continuous stream; the key used only its own segment of it (the
   * os-csprng source's `bytes`).
   */
  osStream?: { keys: number; bytes: number };
};
