// Every kind of event the ceremony log records. A table, so the CLI, the UI and the transcript agree.

export const AUDIT_EVENT_TYPES = [
  'vault.created',
  'entropy.health',
  'key.generated',
  'backup.written',
  'backup.verified',
  'backup.restored',
  'shares.split',
  'shares.combined',
  'params.loaded',
  'bundle.written',
  'kms.import',
  'kms.sync',
  'refusal',
  'ceremony.step',
  'checkpoint',
  /** The operator accepted that events the vault database recorded are gone from the log (`byok audit accept-loss`). */
  'audit.gap',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export function isAuditEventType(value: unknown): value is AuditEventType {
  return typeof value === 'string' && (AUDIT_EVENT_TYPES as readonly string[]).includes(value);
}
