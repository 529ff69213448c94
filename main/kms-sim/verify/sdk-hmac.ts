// Huawei Cloud APIG SDK-HMAC-SHA256 verification (no key derivation: HMAC with the secret key itself).
import { canonicalHeaders, canonicalQuery, equalHex, headerValue, hmac, parseAuthorization, sha256Hex, SIGNING_SKEW_MS, type Verdict } from './canonical.ts';
import type { SignedRequest } from './sigv4.ts';

export function sdkHmacSignature(secretKey: string, stringToSign: string): string {
  return hmac(secretKey, stringToSign).toString('hex');
}

/** The canonical URI always ends with `/`; each segment is percent-encoded. */
function canonicalUri(path: string): string {
  const encoded = path
    .split('/')
    .map((segment) => encodeURIComponent(decodeURIComponent(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

export function verifySdkHmac(request: SignedRequest, secrets: (accessKey: string) => string | undefined, realNow: number): Verdict<{ accessKey: string }> {
  const auth = parseAuthorization(headerValue(request.headers, 'authorization'), 'SDK-HMAC-SHA256');
  const sdkDate = headerValue(request.headers, 'x-sdk-date');
  if (auth === null || sdkDate === undefined || !auth.Access || !auth.SignedHeaders || !auth.Signature) {
    return { ok: false, reason: 'malformed', detail: 'Incorrect IAM authentication information: Authorization or X-Sdk-Date missing' };
  }
  const secret = secrets(auth.Access);
  if (secret === undefined) return { ok: false, reason: 'unknown-key', detail: 'Incorrect IAM authentication information: get secretkey failed' };
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(sdkDate);
  if (match === null) return { ok: false, reason: 'malformed', detail: 'Incorrect IAM authentication information: x-sdk-date is invalid' };
  const signedAt = Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
  if (Math.abs(realNow - signedAt) > SIGNING_SKEW_MS) {
    return { ok: false, reason: 'expired', detail: 'Incorrect IAM authentication information: verify aksk signature fail, x-sdk-date expired' };
  }
  const signedHeaders = auth.SignedHeaders.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-sdk-date')) {
    return { ok: false, reason: 'malformed', detail: 'Incorrect IAM authentication information: host and x-sdk-date must be signed' };
  }
  const headers = canonicalHeaders(request.headers, signedHeaders);
  if (headers === null) return { ok: false, reason: 'malformed', detail: 'Incorrect IAM authentication information: a signed header is missing' };
  const payloadHash = headerValue(request.headers, 'x-sdk-content-sha256') === 'UNSIGNED-PAYLOAD' ? 'UNSIGNED-PAYLOAD' : sha256Hex(request.body);
  const canonicalRequest = [request.method, canonicalUri(request.path), canonicalQuery(request.search), headers, auth.SignedHeaders, payloadHash].join('\n');
  const stringToSign = ['SDK-HMAC-SHA256', sdkDate, sha256Hex(canonicalRequest)].join('\n');
  if (!equalHex(sdkHmacSignature(secret, stringToSign), auth.Signature)) {
    return { ok: false, reason: 'bad-signature', detail: 'Incorrect IAM authentication information: verify aksk signature fail' };
  }
  return { ok: true, value: { accessKey: auth.Access } };
}
