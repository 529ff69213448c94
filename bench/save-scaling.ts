// save-scaling: one generate-and-save (insert a key record + append its audit event + vault.save()) at a
// vault holding 10,000 keys and 100,000 audit events, against the same at an empty vault, measured in one
// run with iterations interleaved (so disk and CPU drift hit both alike). Goal: ratio <= 2.
// For reference it also times what a whole-file save (export + durable rewrite) costs at 10,000 keys:
// the cost the journal design (main/core/vault/vault-storage.ts) keeps off the save path.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FixedClock } from '../main/core/clock.ts';
import { Vault } from '../main/core/vault/index.ts';
import type { KeyRecord } from '../main/core/vault/index.ts';
import { AuditLog } from '../main/core/audit/index.ts';

const FILLED_KEYS = 10_000;
const FILLED_EVENTS = 100_000;
const WARMUP = 5;
const ITERATIONS = 41;

interface Subject {
  vault: Vault;
  audit: AuditLog;
  next: number;
}

function keyRecord(id: string): KeyRecord {
  return {
    id,
    alias: `payments-${id}`,
    description: 'bench key',
    spec: 'AES_256',
    check: { kind: 'kcv', value: '7A3F1C' },
    createdAt: '2026-03-01T09:00:00Z',
    status: 'active',
    backupRef: `byok-backup/batch-${id.slice(0, 4)}`,
    entropyEvidence: { source: 'os-csprng', repetitionCount: 'passed', adaptiveProportion: 'passed', bytes: 32 },
    operator: 'alice',
    batchId: 'bench',
  };
}

async function generateAndSave(subject: Subject, prefix: string): Promise<number> {
  const id = `${prefix}-${subject.next++}`;
  const start = performance.now();
  subject.vault.keys.insert(keyRecord(id));
  await subject.audit.append({ type: 'key.generated', operator: 'alice', witnesses: ['bob'], data: { keyId: id, spec: 'AES_256', check: { kind: 'kcv', value: '7A3F1C' } } });
  await subject.vault.save();
  return performance.now() - start;
}

async function openSubject(dir: string, clock: FixedClock): Promise<Subject> {
  return { vault: await Vault.open(dir, { clock, create: true }), audit: await AuditLog.open(dir, { clock }), next: 0 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export async function run(): Promise<{ name: 'save-scaling'; ratio: number; goal: string; figures: Record<string, number> }> {
  const root = mkdtempSync(join(tmpdir(), 'byok-bench-save-'));
  const clock = new FixedClock('2026-03-01T09:00:00Z');
  try {
    const empty = await openSubject(join(root, 'empty'), clock);
    const filled = await openSubject(join(root, 'filled'), clock);

    // Fill in bulk: one transaction of 10,000 rows and one compaction; audit events in batches of 10,000.
    const fillStart = performance.now();
    filled.vault.keys.insertMany(Array.from({ length: FILLED_KEYS }, (_, i) => keyRecord(`fill-${i}`)));
    await filled.vault.save();
    await filled.vault.compact();
    for (let written = 0; written < FILLED_EVENTS; written += 10_000) {
      await filled.audit.appendMany(
        Array.from({ length: 10_000 }, (_, i) => ({ type: 'key.generated' as const, operator: 'alice', data: { keyId: `fill-${(written + i) % FILLED_KEYS}`, spec: 'AES_256', check: { kind: 'kcv', value: '7A3F1C' } } })),
      );
    }
    const fillMs = performance.now() - fillStart;

    // Reference: what a whole-file save costs at 10,000 keys (export + temp file + fsync + rename).
    const wholeFile: number[] = [];
    for (let i = 0; i < 3; i++) {
      filled.vault.keys.insert(keyRecord(`whole-${i}`));
      const start = performance.now();
      await filled.vault.compact();
      wholeFile.push(performance.now() - start);
    }

    for (let i = 0; i < WARMUP; i++) {
      await generateAndSave(empty, 'warm');
      await generateAndSave(filled, 'warm');
    }
    const emptyTimes: number[] = [];
    const filledTimes: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      emptyTimes.push(await generateAndSave(empty, 'k'));
      filledTimes.push(await generateAndSave(filled, 'k'));
    }
    const figures = {
      emptyMedianMs: round(median(emptyTimes)),
      filledMedianMs: round(median(filledTimes)),
      emptyP90Ms: round(percentile(emptyTimes, 0.9)),
      filledP90Ms: round(percentile(filledTimes, 0.9)),
      filledKeys: filled.vault.keys.count(),
      filledAuditEvents: filled.audit.lastSeq,
      filledSnapshotBytes: statSync(join(root, 'filled', 'vault.db')).size,
      filledAuditBytes: statSync(join(root, 'filled', 'audit.jsonl')).size,
      wholeFileSaveAt10kMedianMs: round(median(wholeFile)),
      fillMs: round(fillMs),
      iterations: ITERATIONS,
    };
    await Promise.all([empty.vault.close(), empty.audit.close(), filled.vault.close(), filled.audit.close()]);
    return {
      name: 'save-scaling',
      ratio: median(filledTimes) / median(emptyTimes),
      goal: '<= 2 (median generate-and-save at 10,000 keys + 100,000 audit events vs at an empty vault)',
      figures,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (import.meta.main) console.log(JSON.stringify(await run(), null, 2));
