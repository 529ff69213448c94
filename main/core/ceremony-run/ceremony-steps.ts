// The steps of a planned ceremony, in order. Each has a stable id (recorded in the state file and the
// audit log); a resumed run skips the ids already completed.
import type { KeySlot, Plan } from '../plan/index.ts';

export type StepKind = 'offline-check' | 'plan-check' | 'generate' | 'confirm' | 'backup-verify' | 'shares' | 'escrow' | 'wrap' | 'finalize';

export interface CeremonyStep {
  id: string;
  kind: StepKind;
  /** For generate: the plan entry. */
  entryIndex?: number;
  /** For per-key steps: the key's label. */
  label?: string;
}

/** Order: checks, every generation, every read-back, every backup verify, shares, escrow, wraps, finalize. */
export function ceremonySteps(plan: Plan, slots: readonly KeySlot[]): CeremonyStep[] {
  const steps: CeremonyStep[] = [
    { id: 'offline-check', kind: 'offline-check' },
    { id: 'plan-check', kind: 'plan-check' },
  ];
  plan.keys.forEach((_, entryIndex) => steps.push({ id: `generate:${entryIndex}`, kind: 'generate', entryIndex }));
  for (const slot of slots) steps.push({ id: `confirm:${slot.label}`, kind: 'confirm', label: slot.label });
  for (const slot of slots) steps.push({ id: `backup-verify:${slot.label}`, kind: 'backup-verify', label: slot.label });
  if (plan.backup.shares) for (const slot of slots) steps.push({ id: `shares:${slot.label}`, kind: 'shares', label: slot.label });
  if (plan.backup.escrow) steps.push({ id: 'escrow', kind: 'escrow' });
  for (const slot of slots) steps.push({ id: `wrap:${slot.label}`, kind: 'wrap', label: slot.label });
  steps.push({ id: 'finalize', kind: 'finalize' });
  return steps;
}
