import { describe, expect, it } from 'vitest';
import { parseMaterialExpiry } from '../../../../main/core/wrap/material-expiry.ts';

const now = new Date('2026-11-25T10:00:00Z');
const invalid = (message: RegExp) => expect.objectContaining({ code: 'MATERIAL_EXPIRY_INVALID', message: expect.stringMatching(message) });

describe('parseMaterialExpiry', () => {
  it('reads "never" and an absent value as no expiry', () => {
    expect(parseMaterialExpiry('never', 'aws', now)).toBeNull();
    expect(parseMaterialExpiry(undefined, 'gcp', now)).toBeNull();
  });

  it('normalises an ISO time with an offset to UTC seconds', () => {
    expect(parseMaterialExpiry('2027-01-31T12:00:00.900+02:00', 'huawei', now, 'AES_256')).toBe('2027-01-31T10:00:00Z');
  });

  it('refuses a time without a zone', () => {
    expect(() => parseMaterialExpiry('2027-01-31T12:00:00', 'aws', now)).toThrow(invalid(/with a zone/));
  });

  it('refuses an expiry in the past or now', () => {
    expect(() => parseMaterialExpiry('2026-11-25T10:00:00Z', 'tencent', now)).toThrow(invalid(/not in the future/));
  });

  it('refuses an AWS expiry more than 365 days ahead and accepts one exactly at the limit', () => {
    expect(parseMaterialExpiry('2027-11-25T10:00:00Z', 'aws', now)).toBe('2027-11-25T10:00:00Z');
    expect(() => parseMaterialExpiry('2027-11-25T10:00:01Z', 'aws', now)).toThrow(invalid(/365 days/));
  });

  it('refuses a Tencent expiry after unix time 2147443200', () => {
    expect(parseMaterialExpiry('2038-01-18T16:00:00Z', 'tencent', now)).toBe('2038-01-18T16:00:00Z');
    expect(() => parseMaterialExpiry('2038-01-18T16:00:01Z', 'tencent', now)).toThrow(invalid(/2038-01-18T16:00:00Z/));
  });

  it('refuses an expiry for Huawei RSA and EC keys, which never expire', () => {
    expect(() => parseMaterialExpiry('2027-01-01T00:00:00Z', 'huawei', now, 'RSA_2048')).toThrow(invalid(/never expire/));
    expect(() => parseMaterialExpiry('2027-01-01T00:00:00Z', 'huawei', now, 'EC_P384')).toThrow(invalid(/never expire/));
  });

  it('refuses any expiry for GCP and Azure, whose imports take none', () => {
    expect(() => parseMaterialExpiry('2027-01-01T00:00:00Z', 'gcp', now)).toThrow(invalid(/no material expiry/));
    expect(() => parseMaterialExpiry('2027-01-01T00:00:00Z', 'azure', now)).toThrow(invalid(/no material expiry/));
  });
});
