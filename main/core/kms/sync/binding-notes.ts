// What the sync engine remembers about a binding beyond the remote_bindings row: when and how its
// material was last imported, and how long that material was meant to live (so a renewal asks for the
// same lifetime). Kept in the vault's meta table under `kms.binding.<provider>.<keyId>`.
import type { Vault } from '../../vault/index.ts';
import type { WrappingAlgorithm } from '../../../../shared/providers.ts';

export interface BindingNotes {
  importedAt: string | null;
  /** Seconds between import and material expiry at the last import; null when it never expires. */
  validitySeconds: number | null;
  algorithm: WrappingAlgorithm | null;
  proof: string | null;
  /** Set when this vault deleted the material on purpose (not an expiry, not drift). */
  deletedAt: string | null;
  /** The renewal cycle a renewal request file was written for, and until when its parameters hold. */
  renewalRequest: { cycle: string; parametersValidTo: string | null; path: string } | null;
}

const EMPTY: BindingNotes = { importedAt: null, validitySeconds: null, algorithm: null, proof: null, deletedAt: null, renewalRequest: null };

function metaKey(providerName: string, keyId: string): string {
  return `kms.binding.${providerName}.${keyId}`;
}

export function readNotes(vault: Vault, providerName: string, keyId: string): BindingNotes {
  const text = vault.meta.get(metaKey(providerName, keyId));
  if (text === undefined) return { ...EMPTY };
  try {
    return { ...EMPTY, ...(JSON.parse(text) as Partial<BindingNotes>) };
  } catch {
    return { ...EMPTY };
  }
}

export function writeNotes(vault: Vault, providerName: string, keyId: string, change: Partial<BindingNotes>): BindingNotes {
  const notes = { ...readNotes(vault, providerName, keyId), ...change };
  vault.meta.set(metaKey(providerName, keyId), JSON.stringify(notes));
  return notes;
}
