import { describe, expect, it } from 'vitest';
import { AWS_ERRORS, HUAWEI_ERRORS, TENCENT_ERRORS, mapProviderError, transportError } from '../../../../main/core/kms/errors.ts';
import { ERROR_CODES } from '../../../../shared/errors.ts';

describe('provider error mapping', () => {
  it('maps only onto product error codes', () => {
    for (const table of [AWS_ERRORS, TENCENT_ERRORS, HUAWEI_ERRORS]) {
      for (const rows of Object.values(table)) for (const row of rows) expect(ERROR_CODES).toContain(row.code);
    }
  });

  it('keeps the provider code in the message and says what to do', () => {
    const error = mapProviderError('huawei', { providerCode: 'KMS.2606', httpStatus: 400, providerMessage: 'material differs' }, 'import-key-material');
    expect(error.code).toBe('KMS_MATERIAL_MISMATCH');
    expect(error.message).toContain('KMS.2606');
    expect(error.message).toMatch(/backup/);
    expect(error.details?.retryable).toBe(false);
  });

  it('tells Tencent token mismatches from other InvalidParameter replies by the parameter named', () => {
    expect(mapProviderError('tencent', { providerCode: 'InvalidParameter', providerMessage: 'ImportToken: issued for a different key' }, 'ImportKeyMaterial').code).toBe('KMS_TOKEN_KEY_MISMATCH');
    expect(mapProviderError('tencent', { providerCode: 'InvalidParameter', providerMessage: 'Limit is out of range' }, 'ListKeys').code).toBe('INVALID_INPUT');
  });

  it('treats unknown server errors and 429 as retryable, unknown client errors as protocol errors', () => {
    expect(mapProviderError('aws', { providerCode: 'SomethingNew', httpStatus: 503 }, 'DescribeKey')).toMatchObject({ code: 'KMS_TRANSIENT', details: { retryable: true } });
    expect(mapProviderError('huawei', { providerCode: 'HTTP 429', httpStatus: 429 }, 'list-keys')).toMatchObject({ code: 'KMS_THROTTLED' });
    expect(mapProviderError('aws', { providerCode: 'SomethingNew', httpStatus: 400 }, 'DescribeKey')).toMatchObject({ code: 'KMS_PROTOCOL', details: { retryable: false } });
    expect(transportError('tencent', 'ListKeys', 'timeout')).toMatchObject({ code: 'KMS_TRANSIENT', details: { retryable: true } });
  });

  it('scrubs credentials from the provider message it keeps', () => {
    const error = mapProviderError('aws', { providerCode: 'UnrecognizedClientException', httpStatus: 400, providerMessage: 'key AKIAEXAMPLE123 secret s3cr3tValue' }, 'ListKeys', ['s3cr3tValue', 'AKIAEXAMPLE123']);
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(/s3cr3tValue|AKIAEXAMPLE123/);
  });
});
