// One audit event, its hash and its line. See CHAIN-FORMAT.md for the exact bytes.
import { createHash } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import { canonicalObject } from './canonical-json.ts';
import { isAuditEventType } from './event-types.ts';
import type { AuditEventType } from './event-types.ts';

export interface AuditEvent {
  /** 1 for the first event, +1 each. */
  seq: number;
  /** ISO-8601 UTC, second precision. */
  time: string;
  type: AuditEventType;
  operator: string | null;
  witnesses: string[];
  data: Record<string, unknown>;
  /** Hash of the previous event; GENESIS_HASH for the first. */
  prev: string;
  /** SHA-256 (hex) of the event's canonical encoding without this field. */
  hash: string;
}

export interface NewAuditEvent {
  type: AuditEventType;
  operator?: string;
  witnesses?: string[];
  data: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Top-level member order; `hash` last so the hashed body is the line minus a fixed-length suffix. */
export const EVENT_FIELD_ORDER = ['seq', 'time', 'type', 'operator', 'witnesses', 'data', 'prev', 'hash'] as const;

/** The length of `,"hash":"<64 hex>"}`: a line minus this suffix, plus "}", is the hashed body. */
export const HASH_SUFFIX_LENGTH = 75;

/** Field names that would only ever hold secrets; an event naming one is refused outright. */
const SECRET_FIELD_NAMES = new Set(
  ['material', 'keymaterial', 'plaintext', 'secret', 'secretkey', 'privatekey', 'password', 'passphrase', 'credential', 'credentials', 'secretaccesskey', 'accesskeysecret', 'seed', 'rawkey', 'share', 'sharebytes'],
);

export function hashBody(body: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256').update(encodeBody(body), 'latin1').digest('hex');
}

export function encodeBody(body: Omit<AuditEvent, 'hash'>): string {
  return canonicalObject(body as unknown as Record<string, unknown>, EVENT_FIELD_ORDER.slice(0, -1));
}

/** The event's line in the log, without the trailing LF. */
export function encodeEvent(event: AuditEvent): string {
  return canonicalObject(event as unknown as Record<string, unknown>, EVENT_FIELD_ORDER);
}

export function sealEvent(body: Omit<AuditEvent, 'hash'>): AuditEvent {
  if (!isAuditEventType(body.type)) throw new ByokError('INVALID_ARGUMENT', `Unknown audit event type ${String(body.type)}; see AUDIT_EVENT_TYPES.`);
  if (body.operator !== null && typeof body.operator !== 'string') throw new ByokError('INVALID_ARGUMENT', 'The operator of an audit event must be a name.');
  if (!body.witnesses.every((witness) => typeof witness === 'string')) throw new ByokError('INVALID_ARGUMENT', 'Witnesses of an audit event must be names.');
  if (typeof body.data !== 'object' || body.data === null || Array.isArray(body.data)) throw new ByokError('INVALID_ARGUMENT', 'Audit event data must be an object.');
  refuseSecrets(body.data, 'data');
  return { ...body, hash: hashBody(body) };
}

function refuseSecrets(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object') return;
  if (ArrayBuffer.isView(value)) throw new ByokError('INVALID_ARGUMENT', `Audit event field ${path} holds bytes; events never carry material. Record a check value instead.`, { field: path });
  for (const [key, member] of Object.entries(value)) {
    if (SECRET_FIELD_NAMES.has(key.toLowerCase())) {
      throw new ByokError('INVALID_ARGUMENT', `Audit event field ${path}.${key} names a secret; events never carry material or credentials.`, { field: `${path}.${key}` });
    }
    refuseSecrets(member, `${path}.${key}`);
  }
}
