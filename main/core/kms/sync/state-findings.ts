// What a key's state at the KMS means against what the vault expects: expiring (within the renewal
// window), expired (material gone after it was imported), drifted (anything the vault did not expect).
// A pure function of its inputs, so every rule is tested without a KMS.
import type { RemoteBinding } from '../../vault/index.ts';
import type { RemoteKeyState } from '../adapter.ts';
import type { BindingNotes } from './binding-notes.ts';
import { sameExpiry } from './job-handlers.ts';

export type Finding = { kind: 'expiring'; materialExpiry: string } | { kind: 'expired' } | { kind: 'drifted'; reason: string };

/** Material deleted this long before its recorded expiry is drift, not expiry (clock skew allowance). */
const EARLY_DELETION_TOLERANCE_MS = 5 * 60_000;

export function classify(input: { binding: RemoteBinding; notes: BindingNotes; remote: RemoteKeyState | 'missing'; now: Date; renewalWindowMs: number }): Finding[] {
  const { binding, notes, remote, now } = input;
  if (remote === 'missing') return [{ kind: 'drifted', reason: `the key ${binding.remoteKeyId} no longer exists at the KMS` }];
  const findings: Finding[] = [];
  const everImported = notes.importedAt !== null;
  const deletedByUs = notes.deletedAt !== null && (notes.importedAt === null || notes.deletedAt >= notes.importedAt);
  switch (remote.state) {
    case 'PendingDeletion':
      findings.push({ kind: 'drifted', reason: `the key is scheduled for deletion at the KMS (${remote.providerState})` });
      break;
    case 'Disabled':
      if (binding.state !== 'Disabled') findings.push({ kind: 'drifted', reason: `the key was disabled at the KMS (${remote.providerState})` });
      break;
    case 'Unknown':
      findings.push({ kind: 'drifted', reason: `the KMS reports a state this app does not know (${remote.providerState})` });
      break;
    case 'Enabled':
      if (!everImported && binding.state !== 'Enabled') {
        findings.push({ kind: 'drifted', reason: 'the key is Enabled at the KMS, but this vault never imported its material (imported elsewhere?)' });
      } else if (!sameExpiry(remote.materialExpiry, binding.materialExpiry)) {
        findings.push({ kind: 'drifted', reason: `the material expiry at the KMS is ${remote.materialExpiry ?? 'never'}, the vault expects ${binding.materialExpiry ?? 'never'}` });
      }
      if (remote.materialExpiry !== null && Date.parse(remote.materialExpiry) - now.getTime() <= input.renewalWindowMs) {
        findings.push({ kind: 'expiring', materialExpiry: remote.materialExpiry });
      }
      break;
    case 'PendingImport':
      if ((everImported || binding.state === 'Enabled') && !deletedByUs) {
        findings.push({ kind: 'expired' });
        const expected = binding.materialExpiry === null ? null : Date.parse(binding.materialExpiry);
        if (expected === null || expected - EARLY_DELETION_TOLERANCE_MS > now.getTime()) {
          findings.push({ kind: 'drifted', reason: `the material was deleted at the KMS before its expiry (${binding.materialExpiry ?? 'never'})` });
        }
      }
      break;
  }
  return findings;
}
