import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../../main/core/clock.ts';
import { retryDelayMs } from '../../../../../main/core/kms/sync/backoff.ts';
import { TokenBucket } from '../../../../../main/core/kms/sync/rate-limiter.ts';
import { classify } from '../../../../../main/core/kms/sync/state-findings.ts';
import type { BindingNotes } from '../../../../../main/core/kms/sync/binding-notes.ts';

describe('retryDelayMs', () => {
  it('doubles per attempt up to the cap, with jitter in the upper half', () => {
    const policy = { baseMs: 100, capMs: 1000 };
    expect(retryDelayMs(1, policy, () => 0)).toBe(50);
    expect(retryDelayMs(1, policy, () => 1)).toBe(100);
    expect(retryDelayMs(3, policy, () => 1)).toBe(400);
    expect(retryDelayMs(10, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(10, policy, () => 0)).toBe(500);
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then waits for the sustained rate', async () => {
    const clock = new FixedClock('2026-01-01T00:00:00Z');
    const slept: number[] = [];
    const bucket = new TokenBucket({ perSecond: 10, burst: 2 }, clock, async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    });
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(slept).toEqual([100, 100, 100]);
  });
});

describe('classify', () => {
  const notes = (change: Partial<BindingNotes> = {}): BindingNotes => ({ importedAt: null, validitySeconds: null, algorithm: null, proof: null, deletedAt: null, renewalRequest: null, ...change });
  const binding = { keyId: 'k', provider: 'aws', region: '', remoteKeyId: 'r', state: 'Enabled', materialExpiry: '2026-01-10T00:00:00Z', lastSyncedAt: null };
  const now = new Date('2026-01-05T00:00:00Z');
  const remote = (state: 'Enabled' | 'PendingImport' | 'Disabled', materialExpiry: string | null) => ({ remoteKeyId: 'r', state, materialExpiry, origin: 'external' as const, providerState: state });

  it('reports material expiring within the window', () => {
    expect(classify({ binding, notes: notes({ importedAt: '2026-01-01T00:00:00Z' }), remote: remote('Enabled', binding.materialExpiry), now, renewalWindowMs: 7 * 86_400_000 })).toEqual([{ kind: 'expiring', materialExpiry: binding.materialExpiry }]);
    expect(classify({ binding, notes: notes({ importedAt: '2026-01-01T00:00:00Z' }), remote: remote('Enabled', binding.materialExpiry), now, renewalWindowMs: 86_400_000 })).toEqual([]);
  });

  it('reports expired material after its expiry, and drift when it went early', () => {
    const imported = notes({ importedAt: '2026-01-01T00:00:00Z' });
    expect(classify({ binding, notes: imported, remote: remote('PendingImport', null), now: new Date('2026-01-11T00:00:00Z'), renewalWindowMs: 0 })).toEqual([{ kind: 'expired' }]);
    expect(classify({ binding, notes: imported, remote: remote('PendingImport', null), now, renewalWindowMs: 0 }).map((finding) => finding.kind)).toEqual(['expired', 'drifted']);
  });

  it('does not call material deleted on purpose expired', () => {
    expect(classify({ binding: { ...binding, state: 'PendingImport' }, notes: notes({ importedAt: '2026-01-01T00:00:00Z', deletedAt: '2026-01-02T00:00:00Z' }), remote: remote('PendingImport', null), now, renewalWindowMs: 0 })).toEqual([]);
  });

  it('reports drift: another expiry, a disabled key, a deleted key', () => {
    const imported = notes({ importedAt: '2026-01-01T00:00:00Z' });
    expect(classify({ binding, notes: imported, remote: remote('Enabled', '2027-01-01T00:00:00Z'), now, renewalWindowMs: 0 })[0]).toMatchObject({ kind: 'drifted' });
    expect(classify({ binding, notes: imported, remote: remote('Disabled', null), now, renewalWindowMs: 0 })[0]).toMatchObject({ kind: 'drifted' });
    expect(classify({ binding, notes: imported, remote: 'missing', now, renewalWindowMs: 0 })[0]).toMatchObject({ kind: 'drifted' });
  });
});
