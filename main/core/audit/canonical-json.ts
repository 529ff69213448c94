// The canonical JSON used for audit lines (CHAIN-FORMAT.md): no whitespace, object keys sorted by UTF-16
// code units, every character outside printable ASCII escaped as \uXXXX (lower-case hex) so a line's
// bytes equal its characters, numbers as JSON.stringify writes them, `undefined` members left out.
// Binary values (Uint8Array, Buffer) are refused: in this product a byte array is likely key material.
import { ByokError } from '../../../shared/errors.ts';

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return canonicalString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw notEncodable('a number that is not finite');
      return JSON.stringify(value);
    case 'object':
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) throw notEncodable('binary data (audit events never carry bytes; record a check value instead)');
      if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
      if (value instanceof Date) return canonicalString(value.toISOString());
      return canonicalObject(value as Record<string, unknown>, Object.keys(value).sort());
    default:
      throw notEncodable(`a ${typeof value}`);
  }
}

/** An object with its members in the given order (the event's fixed top-level order). */
export function canonicalObject(value: Record<string, unknown>, order: readonly string[]): string {
  const members: string[] = [];
  for (const key of order) {
    const member = value[key];
    if (member === undefined) continue;
    members.push(`${canonicalString(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

function canonicalString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function notEncodable(what: string): ByokError {
  return new ByokError('INVALID_ARGUMENT', `An audit event cannot hold ${what}.`);
}
