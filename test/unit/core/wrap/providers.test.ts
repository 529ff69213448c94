import { describe, expect, it } from 'vitest';
import { KEY_SPEC_NAMES } from '../../../../shared/key-specs.ts';
import { PROVIDERS, PROVIDER_IDS, WRAPPING_ALGORITHM_FACTS, acceptedAlgorithms, acceptedSpecs, isAccepted, outputLayout } from '../../../../shared/providers.ts';

describe('provider table', () => {
  it('lists the documented specs per provider', () => {
    expect(acceptedSpecs('huawei')).toEqual(['AES_256', 'SM4', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384']);
    expect(acceptedSpecs('tencent')).toEqual(['AES_256', 'SM4']);
    expect(acceptedSpecs('aws')).toEqual(['AES_256', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384']);
    expect(acceptedSpecs('azure')).toEqual(['AES_256', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384']);
    expect(acceptedSpecs('gcp')).not.toContain('SM4');
  });

  it('uses the split layout only for Huawei asymmetric keys', () => {
    for (const provider of PROVIDER_IDS) {
      for (const spec of acceptedSpecs(provider)) {
        const split = provider === 'huawei' && (spec.startsWith('RSA_') || spec.startsWith('EC_'));
        expect(outputLayout(provider, spec)).toBe(split ? 'split' : 'single');
      }
    }
  });

  it('refuses the layout of a spec the provider does not import', () => {
    expect(() => outputLayout('tencent', 'RSA_2048')).toThrow(expect.objectContaining({ code: 'SPEC_NOT_ACCEPTED' }));
  });

  it('never pairs an asymmetric key with a direct RSA algorithm', () => {
    for (const provider of PROVIDER_IDS) {
      for (const spec of KEY_SPEC_NAMES.filter((name) => name.startsWith('RSA_') || name.startsWith('EC_'))) {
        for (const algorithm of acceptedAlgorithms(provider, spec)) expect(WRAPPING_ALGORITHM_FACTS[algorithm].scheme).toBe('rsa-aes');
      }
    }
  });

  it('offers the legacy PKCS#1 v1.5 at Tencent only', () => {
    for (const provider of PROVIDER_IDS) {
      for (const spec of KEY_SPEC_NAMES) expect(isAccepted(provider, spec, 'RSAES_PKCS1_V1_5')).toBe(provider === 'tencent' && acceptedSpecs('tencent').includes(spec));
    }
    expect(WRAPPING_ALGORITHM_FACTS.RSAES_PKCS1_V1_5.legacy).toBe(true);
  });

  it('marks Huawei, Tencent and AWS connected and GCP and Azure offline-only', () => {
    expect(PROVIDER_IDS.filter((id) => PROVIDERS[id].connectivity === 'connected')).toEqual(['huawei', 'tencent', 'aws']);
  });

  it('gives GCP import jobs three days and the others one', () => {
    expect(PROVIDERS.gcp.parametersValidityHours).toBe(72);
    expect([PROVIDERS.aws, PROVIDERS.huawei, PROVIDERS.tencent].map((facts) => facts.parametersValidityHours)).toEqual([24, 24, 24]);
  });

  it('accepts only RSA_AES_KEY_WRAP_SHA_1 at Azure', () => {
    for (const spec of acceptedSpecs('azure')) expect(acceptedAlgorithms('azure', spec)).toEqual(['RSA_AES_KEY_WRAP_SHA_1']);
  });
});
