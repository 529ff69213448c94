// Huawei Cloud APIG request signing, SDK-HMAC-SHA256 (there is no Node KMS SDK to do it for us):
//   canonical request = METHOD \n URI (always ending in /) \n QUERY \n HEADERS \n SIGNED_HEADERS \n hex(sha256(body))
//   string to sign    = SDK-HMAC-SHA256 \n X-Sdk-Date \n hex(sha256(canonical request))
//   signature         = hex(HMAC-SHA256(secret key, string to sign)), no key derivation
import { createHash, createHmac } from 'node:crypto';

export const SDK_HMAC_ALGORITHM = 'SDK-HMAC-SHA256';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function signStringToSign(secretKey: string, stringToSign: string): string {
  return createHmac('sha256', secretKey).update(stringToSign, 'utf8').digest('hex');
}

/** YYYYMMDDTHHMMSSZ */
export function sdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalUri(path: string): string {
  const encoded = path.split('/').map((segment) => encode(decodeURIComponent(segment))).join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

function canonicalQuery(search: URLSearchParams): string {
  return [...search]
    .map(([key, value]) => [encode(key), encode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

export interface RequestToSign {
  method: string;
  url: URL;
  /** Header names in any case; `host` is taken from the URL. */
  headers: Record<string, string>;
  body: string;
}

export function canonicalRequest(request: RequestToSign, signedHeaders: string[]): string {
  const lowered: Record<string, string> = { host: request.url.host };
  for (const [name, value] of Object.entries(request.headers)) lowered[name.toLowerCase()] = value.trim();
  const headerLines = signedHeaders.map((name) => `${name}:${lowered[name] ?? ''}\n`).join('');
  return [request.method.toUpperCase(), canonicalUri(request.url.pathname), canonicalQuery(request.url.searchParams), headerLines, signedHeaders.join(';'), sha256Hex(request.body)].join('\n');
}

/**
 * Returns the headers to send: the given ones plus X-Sdk-Date and Authorization. Every given header
 * and host are signed.
 */
export function signRequest(request: RequestToSign, credentials: { accessKey: string; secretKey: string }, now: Date): Record<string, string> {
  const headers: Record<string, string> = { ...request.headers, 'X-Sdk-Date': sdkDate(now) };
  const signedHeaders = [...new Set(['host', ...Object.keys(headers).map((name) => name.toLowerCase())])].sort();
  const canonical = canonicalRequest({ ...request, headers }, signedHeaders);
  const stringToSign = [SDK_HMAC_ALGORITHM, headers['X-Sdk-Date'], sha256Hex(canonical)].join('\n');
  const signature = signStringToSign(credentials.secretKey, stringToSign);
  return { ...headers, Authorization: `${SDK_HMAC_ALGORITHM} Access=${credentials.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}` };
}
