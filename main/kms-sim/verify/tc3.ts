// Tencent Cloud TC3-HMAC-SHA256 verification.
import { canonicalHeaders, canonicalQuery, equalHex, headerValue, hmac, parseAuthorization, sha256Hex, SIGNING_SKEW_MS, type Verdict } from './canonical.ts';
import type { SignedRequest } from './sigv4.ts';

function utcDate(timestampSeconds: number): string {
  return new Date(timestampSeconds * 1000).toISOString().slice(0, 10);
}

/** The signature over a canonical request hash; exported for the published worked example. */
export function tc3Signature(input: { secretKey: string; timestamp: number; service: string; canonicalRequestHash: string }): string {
  const date = utcDate(input.timestamp);
  const stringToSign = ['TC3-HMAC-SHA256', String(input.timestamp), `${date}/${input.service}/tc3_request`, input.canonicalRequestHash].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${input.secretKey}`, date), input.service), 'tc3_request');
  return hmac(signingKey, stringToSign).toString('hex');
}

export function verifyTc3(request: SignedRequest, secrets: (secretId: string) => string | undefined, realNow: number): Verdict<{ secretId: string; service: string }> {
  const auth = parseAuthorization(headerValue(request.headers, 'authorization'), 'TC3-HMAC-SHA256');
  const timestampHeader = headerValue(request.headers, 'x-tc-timestamp');
  if (auth === null || timestampHeader === undefined || !auth.Credential || !auth.SignedHeaders || !auth.Signature) {
    return { ok: false, reason: 'malformed', detail: 'Missing or malformed Authorization or X-TC-Timestamp header.' };
  }
  const [secretId, date, service, terminator] = auth.Credential.split('/');
  if (!secretId || !date || !service || terminator !== 'tc3_request') return { ok: false, reason: 'malformed', detail: 'Malformed credential scope.' };
  const secret = secrets(secretId);
  if (secret === undefined) return { ok: false, reason: 'unknown-key', detail: 'SecretId不存在，请输入正确的密钥。' };
  const timestamp = Number(timestampHeader);
  if (!Number.isInteger(timestamp) || utcDate(timestamp) !== date) return { ok: false, reason: 'malformed', detail: 'X-TC-Timestamp does not match the credential date.' };
  if (Math.abs(realNow - timestamp * 1000) > SIGNING_SKEW_MS) return { ok: false, reason: 'expired', detail: '签名过期。Timestamp和服务器时间相差不得超过五分钟。' };
  const signedHeaders = auth.SignedHeaders.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('content-type')) return { ok: false, reason: 'malformed', detail: 'content-type and host must be signed.' };
  // TC3 lower-cases header values as well as names.
  const headers = canonicalHeaders(request.headers, signedHeaders, true);
  if (headers === null) return { ok: false, reason: 'malformed', detail: 'A signed header is missing.' };
  const canonicalRequest = [request.method, request.path || '/', canonicalQuery(request.search), headers, auth.SignedHeaders, sha256Hex(request.body)].join('\n');
  const expected = tc3Signature({ secretKey: secret, timestamp, service, canonicalRequestHash: sha256Hex(canonicalRequest) });
  if (!equalHex(expected, auth.Signature)) return { ok: false, reason: 'bad-signature', detail: '请求签名验证失败，请检查您的签名计算是否正确。' };
  return { ok: true, value: { secretId, service } };
}
