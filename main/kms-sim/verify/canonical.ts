// Pieces shared by the three request-signature verifiers (the simulator's own code, independent of
// anything the client side uses).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding as the signers use it: unreserved characters stay, everything else is %XX. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(search: string): string {
  const pairs = [...new URLSearchParams(search)].map(([k, v]) => [uriEncode(k), uriEncode(v)] as const);
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `name:value\n` for each signed header; values trimmed with inner runs of spaces collapsed. */
export function canonicalHeaders(headers: IncomingHttpHeaders, signedHeaders: string[], lowerValues = false): string | null {
  let out = '';
  for (const name of signedHeaders) {
    const value = headerValue(headers, name);
    if (value === undefined) return null;
    const trimmed = value.trim().replace(/\s+/g, ' ');
    out += `${name}:${lowerValues ? trimmed.toLowerCase() : trimmed}\n`;
  }
  return out;
}

/** Parses `Key=value, Key=value` after the scheme name of an Authorization header. */
export function parseAuthorization(header: string | undefined, scheme: string): Record<string, string> | null {
  if (header === undefined || !header.startsWith(`${scheme} `)) return null;
  const fields: Record<string, string> = {};
  for (const part of header.slice(scheme.length + 1).split(',')) {
    const index = part.indexOf('=');
    if (index < 0) return null;
    fields[part.slice(0, index).trim()] = part.slice(index + 1).trim();
  }
  return fields;
}

export function equalHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

export type Verdict<T> = { ok: true; value: T } | { ok: false; reason: 'unknown-key' | 'bad-signature' | 'expired' | 'malformed'; detail: string };

/** Requests whose signing time is further than this from the real time are refused (replay window). */
export const SIGNING_SKEW_MS = 15 * 60 * 1000;
