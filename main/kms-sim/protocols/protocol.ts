// What the server asks of each provider's wire protocol.
import type { IncomingHttpHeaders } from 'node:http';
import type { SimKms } from '../sim-kms.ts';

export interface WireRequest {
  method: string;
  path: string;
  search: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface WireReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface SimCredentials {
  aws?: { accessKeyId: string; secretAccessKey: string };
  tencent?: { secretId: string; secretKey: string };
  huawei?: { ak: string; sk: string; projectId: string };
}

export interface ProtocolContext {
  kms: SimKms;
  credentials: SimCredentials;
  /** Real time, for request-signature freshness (signers use the real clock, not the simulator's). */
  realNow: number;
  requestId: string;
}

export interface Protocol {
  readonly name: 'aws' | 'tencent' | 'huawei';
  matches(request: WireRequest): boolean;
  handle(request: WireRequest, context: ProtocolContext): Promise<WireReply>;
  /** The provider's own way of saying "server error" and "slow down", and a reply cut short. */
  faultReply(kind: '5xx' | 'throttle' | 'malformed', requestId: string): WireReply;
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): WireReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function parseJsonObject(body: Buffer): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(body.length === 0 ? '{}' : body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** Standard base64 with padding, as the providers require; null when it is not. */
export function decodeBase64(value: unknown): Buffer | null {
  if (typeof value !== 'string' || value.length === 0 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  return Buffer.from(value, 'base64');
}
