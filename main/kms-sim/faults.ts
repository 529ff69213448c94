// Fault injection: a seeded PRNG decides per request whether to fail and how, so a failing run can be
// replayed with the same seed.

export const FAULT_KINDS = ['5xx', 'timeout', 'throttle', 'malformed', 'drop'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSettings {
  rate: number;
  kinds: FaultKind[];
  seed: number;
}

/** mulberry32: small, fast, good enough to spread faults; not for anything secret. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private settings: FaultSettings = { rate: 0, kinds: [], seed: 0 };
  private random: () => number = mulberry32(0);

  configure(input: unknown): FaultSettings {
    const body = (input ?? {}) as { rate?: unknown; kinds?: unknown; seed?: unknown };
    const rate = typeof body.rate === 'number' ? body.rate : Number.NaN;
    if (!(rate >= 0 && rate <= 1)) throw new Error('faults.rate must be a number between 0 and 1');
    const kinds = Array.isArray(body.kinds) ? body.kinds : [...FAULT_KINDS];
    for (const kind of kinds) {
      if (!(FAULT_KINDS as readonly unknown[]).includes(kind)) throw new Error(`unknown fault kind: ${String(kind)}`);
    }
    if (rate > 0 && kinds.length === 0) throw new Error('faults.kinds must name at least one kind when rate > 0');
    const seed = typeof body.seed === 'number' && Number.isInteger(body.seed) ? body.seed : 1;
    this.settings = { rate, kinds: kinds as FaultKind[], seed };
    this.random = mulberry32(seed);
    return this.current();
  }

  current(): FaultSettings {
    return { ...this.settings, kinds: [...this.settings.kinds] };
  }

  /** Draws for one request: the fault to inject, or null. */
  draw(): FaultKind | null {
    if (this.settings.rate <= 0) return null;
    if (this.random() >= this.settings.rate) return null;
    const index = Math.floor(this.random() * this.settings.kinds.length);
    return this.settings.kinds[index] ?? null;
  }
}
