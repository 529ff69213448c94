import { describe, expect, it } from 'vitest';
import type { KeySpecName } from '../../../../shared/key-specs.ts';
import type { ProviderId, WrappingAlgorithm, WrappingKeySpec } from '../../../../shared/providers.ts';
import { checkWrapRequest } from '../../../../main/core/wrap/check-params.ts';
import type { ImportParameters } from '../../../../main/core/wrap/import-params.ts';

const now = new Date('2026-11-25T10:00:00Z');
const code = (expected: string) => expect.objectContaining({ code: expected });

function params(provider: ProviderId, overrides: Partial<ImportParameters> = {}): ImportParameters {
  const wrappingKeySpec: WrappingKeySpec = provider === 'gcp' ? 'RSA_3072' : 'RSA_2048';
  return {
    provider,
    remoteKeyId: 'remote-key',
    wrappingPublicKeySpki: new Uint8Array(0), // the check never reads the key bytes
    wrappingKeySpec,
    wrappingKeyBits: Number(wrappingKeySpec.slice(4)),
    importToken: null,
    importTokenText: null,
    parametersValidTo: '2026-11-26T10:00:00Z',
    algorithm: null,
    ...overrides,
  };
}

const check = (provider: ProviderId, spec: KeySpecName, algorithm?: WrappingAlgorithm, overrides: Partial<ImportParameters> = {}) =>
  checkWrapRequest({ params: params(provider, overrides), spec, ...(algorithm ? { algorithm } : {}), now });

describe('checkWrapRequest: deadlines', () => {
  it('refuses parameters that expired and shows the deadline in UTC', () => {
    expect(() => check('aws', 'AES_256', 'RSAES_OAEP_SHA_256', { parametersValidTo: '2026-11-25T09:59:59Z' }))
      .toThrow(expect.objectContaining({ code: 'PARAMS_EXPIRED', message: expect.stringContaining('2026-11-25T09:59:59Z (UTC)') }));
  });

  it('refuses parameters whose deadline is exactly now', () => {
    expect(() => check('aws', 'AES_256', 'RSAES_OAEP_SHA_256', { parametersValidTo: '2026-11-25T10:00:00Z' })).toThrow(code('PARAMS_EXPIRED'));
  });

  it('warns when less than one hour is left', () => {
    const { warnings } = check('aws', 'AES_256', 'RSAES_OAEP_SHA_256', { parametersValidTo: '2026-11-25T10:59:00Z' });
    expect(warnings).toEqual([expect.stringContaining('in 59 minutes')]);
  });

  it('does not warn with an hour or more left', () => {
    expect(check('aws', 'AES_256', 'RSAES_OAEP_SHA_256', { parametersValidTo: '2026-11-25T11:00:00Z' }).warnings).toEqual([]);
  });

  it('refuses a deadline further out than the provider ever issues (plus a day for clock skew), naming this clock', () => {
    // AWS: 24 hours; a day of slack: 48 hours from now is the last accepted moment.
    expect(check('aws', 'AES_256', 'RSAES_OAEP_SHA_256', { parametersValidTo: '2026-11-27T10:00:00Z' }).algorithm).toBe('RSAES_OAEP_SHA_256');
    expect(() => check('aws', 'AES_256', 'RSAES_OAEP_SHA_256', { parametersValidTo: '2026-11-27T10:00:01Z' }))
      .toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED', message: expect.stringContaining('2026-11-25T10:00:00Z UTC by this machine') }));
    expect(() => check('tencent', 'AES_256', 'RSAES_OAEP_SHA_256', { parametersValidTo: '5138-11-16T09:46:39Z' })).toThrow(code('PARAMS_MALFORMED'));
    // A GCP import job lives 3 days.
    expect(check('gcp', 'AES_256', 'RSA_AES_KEY_WRAP_SHA_256', { parametersValidTo: '2026-11-29T09:00:00Z' }).algorithm).toBe('RSA_AES_KEY_WRAP_SHA_256');
    expect(() => check('gcp', 'AES_256', 'RSA_AES_KEY_WRAP_SHA_256', { parametersValidTo: '2026-11-29T10:00:01Z' })).toThrow(code('PARAMS_MALFORMED'));
  });

  it('accepts parameters with no deadline (an Azure key-exchange key)', () => {
    expect(check('azure', 'AES_256', undefined, { parametersValidTo: null }).algorithm).toBe('RSA_AES_KEY_WRAP_SHA_1');
  });
});

describe('checkWrapRequest: wrapping key', () => {
  it('refuses a wrapping key size the provider does not issue', () => {
    expect(() => check('tencent', 'AES_256', 'RSAES_OAEP_SHA_256', { wrappingKeySpec: 'RSA_3072', wrappingKeyBits: 3072 }))
      .toThrow(expect.objectContaining({ code: 'WRAPPING_KEY_MISMATCH', message: expect.stringContaining('RSA_2048') }));
  });

  it('refuses a public key whose size differs from the size the file declares', () => {
    expect(() => check('gcp', 'AES_256', undefined, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256', declaredWrappingKeySpec: 'RSA_4096' })).toThrow(code('WRAPPING_KEY_MISMATCH'));
  });
});

describe('checkWrapRequest: specs and algorithms', () => {
  it('refuses RSA private keys on AWS with direct OAEP and lists what is accepted', () => {
    expect(() => check('aws', 'RSA_2048', 'RSAES_OAEP_SHA_256'))
      .toThrow(expect.objectContaining({ code: 'ALGORITHM_NOT_ACCEPTED', message: expect.stringContaining('RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256') }));
  });

  it('refuses PKCS#1 v1.5 anywhere but Tencent', () => {
    expect(() => check('aws', 'AES_256', 'RSAES_PKCS1_V1_5')).toThrow(code('ALGORITHM_NOT_ACCEPTED'));
    expect(() => check('huawei', 'AES_256', 'RSAES_PKCS1_V1_5')).toThrow(code('ALGORITHM_NOT_ACCEPTED'));
  });

  it('accepts PKCS#1 v1.5 at Tencent with a legacy warning', () => {
    const decision = check('tencent', 'SM4', 'RSAES_PKCS1_V1_5');
    expect(decision.algorithm).toBe('RSAES_PKCS1_V1_5');
    expect(decision.warnings).toEqual([expect.stringContaining('legacy')]);
  });

  it('refuses asymmetric keys at Tencent', () => {
    expect(() => check('tencent', 'RSA_2048', 'RSAES_OAEP_SHA_256')).toThrow(expect.objectContaining({ code: 'SPEC_NOT_ACCEPTED', message: expect.stringContaining('AES_256, SM4') }));
  });

  it('refuses HMAC and AES_128 keys at Huawei', () => {
    expect(() => check('huawei', 'HMAC_256')).toThrow(code('SPEC_NOT_ACCEPTED'));
    expect(() => check('huawei', 'AES_128')).toThrow(code('SPEC_NOT_ACCEPTED'));
  });

  it('asks for --algorithm when the provider accepts several and the file does not say', () => {
    expect(() => check('aws', 'AES_256')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('pass --algorithm, one of RSAES_OAEP_SHA_1') }));
  });

  it('picks the only algorithm a provider accepts for a spec', () => {
    expect(check('huawei', 'AES_256').algorithm).toBe('RSAES_OAEP_SHA_256');
    expect(check('huawei', 'EC_P256').algorithm).toBe('RSA_AES_KEY_WRAP_SHA_256');
  });

  it("reads Huawei's RSAES_OAEP_SHA_256 parameters as its two-field wrap for RSA keys", () => {
    expect(check('huawei', 'RSA_3072', undefined, { algorithm: 'RSAES_OAEP_SHA_256' }).algorithm).toBe('RSA_AES_KEY_WRAP_SHA_256');
    expect(check('huawei', 'RSA_3072', 'RSA_AES_KEY_WRAP_SHA_256', { algorithm: 'RSAES_OAEP_SHA_256' }).algorithm).toBe('RSA_AES_KEY_WRAP_SHA_256');
  });

  it('takes the algorithm the file names', () => {
    expect(check('gcp', 'HMAC_384', undefined, { algorithm: 'RSAES_OAEP_SHA_256' }).algorithm).toBe('RSAES_OAEP_SHA_256');
  });

  it('refuses a GCP direct import method for an RSA key', () => {
    expect(() => check('gcp', 'RSA_2048', undefined, { algorithm: 'RSAES_OAEP_SHA_256' })).toThrow(code('ALGORITHM_NOT_ACCEPTED'));
  });

  it('refuses an --algorithm that contradicts the file', () => {
    expect(() => check('aws', 'AES_256', 'RSAES_OAEP_SHA_1', { algorithm: 'RSAES_OAEP_SHA_256' })).toThrow(code('INVALID_ARGUMENT'));
  });
});
