// Reading the key list and a key's history: metadata only.
import type { AuditEventSummary, KeySummary, RemoteState } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import type { KeySpecName } from '../../../shared/key-specs.ts';
import type { KeyRecord } from '../vault/index.ts';
import type { CoreContext } from './context.ts';

export function requireKey(context: CoreContext, keyId: string): KeyRecord {
  const record = context.vault.keys.get(keyId) ?? context.vault.keys.list().find((key) => key.alias === keyId);
  if (!record) throw new ByokError('KEY_NOT_FOUND', `No key "${keyId}" in this vault. Run \`byok keys list\` to see the key ids.`);
  return record;
}

export function listKeys(context: CoreContext, filter: { search?: string; spec?: KeySpecName } = {}): { keys: KeySummary[] } {
  // The repository lists in creation order. All bindings are read in one query, not one per key:
  // the table of a 10,000-key vault must open quickly.
  const records = context.vault.keys.listSummaries(filter);
  const bindingsByKey = new Map<string, ReturnType<CoreContext['vault']['bindings']['list']>>();
  for (const binding of context.vault.bindings.list()) bindingsByKey.set(binding.keyId, [...(bindingsByKey.get(binding.keyId) ?? []), binding]);
  const keys = records.map((record): KeySummary => ({
    id: record.id,
    alias: record.alias ?? '',
    description: record.description ?? null,
    spec: record.spec,
    check: record.check,
    createdAt: record.createdAt,
    status: record.status,
    backup: record.status === 'backup-missing' ? 'missing' : record.backupVerifiedAt ? 'verified' : 'unverified',
    remote: (bindingsByKey.get(record.id) ?? []).map((binding) => ({
      provider: binding.provider,
      providerType: binding.providerType,
      region: binding.region || null,
      remoteKeyId: binding.remoteKeyId,
      state: asRemoteState(binding.state),
      materialExpiry: binding.materialExpiry ?? null,
      lastSyncedAt: binding.lastSyncedAt ?? null,
    })),
  }));
  return { keys };
}

const REMOTE_STATES: readonly RemoteState[] = ['PendingImport', 'Enabled', 'Disabled', 'PendingDeletion', 'Unknown'];
function asRemoteState(state: string): RemoteState {
  return (REMOTE_STATES as readonly string[]).includes(state) ? (state as RemoteState) : 'Unknown';
}

export function summarizeEvent(event: { seq: number; time: string; type: string; operator?: string | null; witnesses?: string[] | null; data: Record<string, unknown> }): AuditEventSummary {
  return {
    seq: event.seq,
    time: event.time,
    type: event.type,
    operator: event.operator ?? null,
    witnesses: event.witnesses ?? [],
    summary: describe(event.type, event.data),
  };
}

function describe(type: string, data: Record<string, unknown>): string {
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');
  switch (type) {
    case 'key.generated':
      return `generated ${Array.isArray(data.keys) ? data.keys.length : 1} ${text(data.spec)} key(s)`;
    case 'bundle.written':
      return `bundle for ${text(data.provider)} (${text(data.algorithm)})`;
    case 'refusal':
      return `refused ${text(data.operation)}: ${text(data.code)}`;
    default:
      return Object.entries(data)
        .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
        .slice(0, 4)
        .map(([name, value]) => `${name}=${text(value)}`)
        .join(' ');
  }
}

export function eventMentionsKey(data: Record<string, unknown>, keyId: string): boolean {
  if (data.keyId === keyId) return true;
  if (Array.isArray(data.keys)) return data.keys.some((key) => typeof key === 'object' && key !== null && (key as { id?: unknown }).id === keyId);
  if (Array.isArray(data.keyIds)) return data.keyIds.includes(keyId);
  return false;
}
