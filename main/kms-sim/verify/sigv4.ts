// AWS Signature Version 4 verification for the KMS JSON 1.1 protocol.
import type { IncomingHttpHeaders } from 'node:http';
import { canonicalHeaders, canonicalQuery, equalHex, headerValue, hmac, parseAuthorization, sha256Hex, SIGNING_SKEW_MS, type Verdict } from './canonical.ts';

export interface SignedRequest {
  method: string;
  path: string;
  search: string;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

export function sigv4SigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
}

export function verifySigV4(request: SignedRequest, secrets: (accessKeyId: string) => string | undefined, realNow: number): Verdict<{ accessKeyId: string; region: string }> {
  const auth = parseAuthorization(headerValue(request.headers, 'authorization'), 'AWS4-HMAC-SHA256');
  const amzDate = headerValue(request.headers, 'x-amz-date');
  if (auth === null || amzDate === undefined || !auth.Credential || !auth.SignedHeaders || !auth.Signature) {
    return { ok: false, reason: 'malformed', detail: 'Missing or malformed Authorization or X-Amz-Date header.' };
  }
  const [accessKeyId, date, region, service, terminator] = auth.Credential.split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request') {
    return { ok: false, reason: 'malformed', detail: 'Malformed credential scope.' };
  }
  const secret = secrets(accessKeyId);
  if (secret === undefined) return { ok: false, reason: 'unknown-key', detail: 'The security token included in the request is invalid.' };
  const match = /^(\d{8})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (match === null || match[1] !== date) return { ok: false, reason: 'malformed', detail: 'X-Amz-Date does not match the credential scope.' };
  const signedAt = Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${match[2]}:${match[3]}:${match[4]}Z`);
  if (Math.abs(realNow - signedAt) > SIGNING_SKEW_MS) return { ok: false, reason: 'expired', detail: 'Signature expired: the signing time is too far from the current time.' };
  const signedHeaders = auth.SignedHeaders.split(';');
  if (!signedHeaders.includes('host')) return { ok: false, reason: 'malformed', detail: 'The host header must be signed.' };
  const headers = canonicalHeaders(request.headers, signedHeaders);
  if (headers === null) return { ok: false, reason: 'malformed', detail: 'A signed header is missing.' };
  // The declared payload hash is signed, but it must also be the hash of the body actually received.
  const bodyHash = sha256Hex(request.body);
  const declaredHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== bodyHash) {
    return { ok: false, reason: 'bad-signature', detail: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  }
  const payloadHash = bodyHash;
  const canonicalRequest = [request.method, request.path || '/', canonicalQuery(request.search), headers, auth.SignedHeaders, payloadHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/${service}/aws4_request`, sha256Hex(canonicalRequest)].join('\n');
  const expected = hmac(sigv4SigningKey(secret, date, region, service), stringToSign).toString('hex');
  if (!equalHex(expected, auth.Signature)) {
    return { ok: false, reason: 'bad-signature', detail: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.' };
  }
  return { ok: true, value: { accessKeyId, region } };
}
