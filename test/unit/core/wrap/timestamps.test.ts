// Impossible calendar fields are refused, never rolled over into another day (Date.parse would read
// 2027-02-30 as 2027-03-02), for every reader of provider and user timestamps.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseImportParameters } from '../../../../main/core/wrap/import-params.ts';
import { parseMaterialExpiry } from '../../../../main/core/wrap/material-expiry.ts';
import { parseIsoInstant } from '../../../../main/core/wrap/timestamps.ts';

const iso = (text: string) => parseIsoInstant(text)?.toISOString() ?? null;

describe('parseIsoInstant', () => {
  it('reads valid instants with Z, an offset, and microseconds', () => {
    expect(iso('2027-01-31T12:00:00Z')).toBe('2027-01-31T12:00:00.000Z');
    expect(iso('2027-01-31T12:00:00.900+02:00')).toBe('2027-01-31T10:00:00.900Z');
    expect(iso('2026-11-26T09:30:15.250123+00:00')).toBe('2026-11-26T09:30:15.250Z');
    expect(iso('2027-12-31T23:59:59Z')).toBe('2027-12-31T23:59:59.000Z');
  });

  it('refuses February 30', () => {
    expect(parseIsoInstant('2027-02-30T00:00:00Z')).toBeNull();
  });

  it('accepts February 29 in a leap year and refuses it in a common year', () => {
    expect(iso('2028-02-29T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(iso('2000-02-29T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z'); // divisible by 400
    expect(parseIsoInstant('2027-02-29T00:00:00Z')).toBeNull();
    expect(parseIsoInstant('2100-02-29T00:00:00Z')).toBeNull(); // divisible by 100, not 400
  });

  it('refuses 24:00:00 and minutes or seconds past 59', () => {
    expect(parseIsoInstant('2027-01-31T24:00:00Z')).toBeNull();
    expect(parseIsoInstant('2027-01-31T23:60:00Z')).toBeNull();
    expect(parseIsoInstant('2027-01-31T23:59:60Z')).toBeNull();
  });

  it('refuses month 13, month 0, day 0 and day 31 of a 30-day month', () => {
    expect(parseIsoInstant('2027-13-01T00:00:00Z')).toBeNull();
    expect(parseIsoInstant('2027-00-10T00:00:00Z')).toBeNull();
    expect(parseIsoInstant('2027-01-00T00:00:00Z')).toBeNull();
    expect(parseIsoInstant('2027-04-31T00:00:00Z')).toBeNull();
  });

  it('refuses an offset out of range and a time without a zone', () => {
    expect(parseIsoInstant('2027-01-31T12:00:00+24:00')).toBeNull();
    expect(parseIsoInstant('2027-01-31T12:00:00+01:60')).toBeNull();
    expect(parseIsoInstant('2027-01-31T12:00:00')).toBeNull();
  });
});

describe('callers refuse impossible dates', () => {
  const now = new Date('2026-11-25T10:00:00Z');

  it('refuses a material expiry of February 30 instead of reading March 2', () => {
    expect(() => parseMaterialExpiry('2027-02-30T00:00:00Z', 'huawei', now, 'AES_256')).toThrow(expect.objectContaining({ code: 'MATERIAL_EXPIRY_INVALID' }));
  });

  const publicKey = Buffer.from(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' })).toString('base64');

  it('refuses an AWS ParametersValidTo of February 30', () => {
    const text = JSON.stringify({ KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', ImportToken: 'AQID', PublicKey: publicKey, ParametersValidTo: '2027-02-30T00:00:00Z' });
    expect(() => parseImportParameters(text)).toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED', message: expect.stringMatching(/ParametersValidTo/) }));
  });

  it('refuses a GCP expireTime at 24:00:00', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const text = JSON.stringify({ name: 'projects/p/locations/global/keyRings/r/importJobs/job-1', importMethod: 'RSA_OAEP_3072_SHA256_AES_256', protectionLevel: 'HSM', state: 'ACTIVE', expireTime: '2027-01-31T24:00:00Z', publicKey: { pem } });
    expect(() => parseImportParameters(text)).toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED', message: expect.stringMatching(/expireTime/) }));
  });
});
