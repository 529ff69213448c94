import { describe, expect, it } from 'vitest';
import { canonicalRequest, sdkDate, signRequest, signStringToSign } from '../../../../main/core/kms/huawei/signer.ts';

describe('Huawei SDK-HMAC-SHA256 signer', () => {
  it('computes the published vector', () => {
    const stringToSign = 'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a';
    expect(signStringToSign('MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc', stringToSign)).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
  });

  it('ends the canonical URI with a slash and signs host and x-sdk-date', () => {
    const url = new URL('https://kms.cn-north-4.myhuaweicloud.com/v1.0/p1/kms/describe-key');
    const canonical = canonicalRequest({ method: 'post', url, headers: { 'X-Sdk-Date': '20191115T033655Z' }, body: '' }, ['host', 'x-sdk-date']);
    expect(canonical.split('\n').slice(0, 5)).toEqual(['POST', '/v1.0/p1/kms/describe-key/', '', 'host:kms.cn-north-4.myhuaweicloud.com', 'x-sdk-date:20191115T033655Z']);
    const headers = signRequest({ method: 'POST', url, headers: { 'Content-Type': 'application/json;charset=UTF-8', 'X-Project-Id': 'p1' }, body: '{}' }, { accessKey: 'AK1', secretKey: 'SK1' }, new Date('2019-11-15T03:36:55Z'));
    expect(headers['X-Sdk-Date']).toBe('20191115T033655Z');
    expect(headers.Authorization).toMatch(/^SDK-HMAC-SHA256 Access=AK1, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/);
  });

  it('formats X-Sdk-Date as YYYYMMDDTHHMMSSZ', () => {
    expect(sdkDate(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102T030405Z');
  });
});
