import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesKeyUnwrap, aesKeyUnwrapPad, aesKeyWrap, aesKeyWrapPad } from '../../../../main/core/wrap/aes-kwp.ts';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

const KEK_128 = '000102030405060708090A0B0C0D0E0F';
const KEK_192 = '000102030405060708090A0B0C0D0E0F1011121314151617';
const KEK_256 = '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F';
const DATA_128 = '00112233445566778899AABBCCDDEEFF';
const DATA_192 = '00112233445566778899AABBCCDDEEFF0001020304050607';
const DATA_256 = '00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F';

// RFC 3394 section 4.1 to 4.6.
const RFC3394 = [
  { section: '4.1', kek: KEK_128, data: DATA_128, wrapped: '1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5' },
  { section: '4.2', kek: KEK_192, data: DATA_128, wrapped: '96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D' },
  { section: '4.3', kek: KEK_256, data: DATA_128, wrapped: '64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7' },
  { section: '4.4', kek: KEK_192, data: DATA_192, wrapped: '031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2' },
  { section: '4.5', kek: KEK_256, data: DATA_192, wrapped: 'A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1' },
  { section: '4.6', kek: KEK_256, data: DATA_256, wrapped: '28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21' },
];

// RFC 5649 section 6.
const RFC5649_KEK = '5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8';
const RFC5649 = [
  { name: '20 octets', data: 'c37b7e6492584340 bed1220780894115 5068f738', wrapped: '138bdeaa9b8fa7fc 61f97742e72248ee 5ae6ae5360d1ae6a 5f54f373fa543b6a' },
  { name: '7 octets', data: '466f7250617369', wrapped: 'afbeb0f07dfbf541 9200f2ccb50bb24f' },
];

describe('AES key wrap (RFC 3394)', () => {
  for (const vector of RFC3394) {
    it(`matches the RFC 3394 section ${vector.section} vector both ways`, () => {
      expect(toHex(aesKeyWrap(hex(vector.kek), hex(vector.data)))).toBe(vector.wrapped.replace(/\s+/g, ''));
      expect(toHex(aesKeyUnwrap(hex(vector.kek), hex(vector.wrapped)))).toBe(vector.data);
    });
  }
  it('refuses plaintext that is not a multiple of 8 bytes', () => {
    expect(() => aesKeyWrap(hex(KEK_128), new Uint8Array(20))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('AES key wrap with padding (RFC 5649)', () => {
  for (const vector of RFC5649) {
    it(`matches the RFC 5649 section 6 vector for ${vector.name} both ways`, () => {
      expect(toHex(aesKeyWrapPad(hex(RFC5649_KEK), hex(vector.data)))).toBe(vector.wrapped.replace(/\s+/g, '').toUpperCase());
      expect(toHex(aesKeyUnwrapPad(hex(RFC5649_KEK), hex(vector.wrapped)))).toBe(vector.data.replace(/\s+/g, '').toUpperCase());
    });
  }

  it('round-trips any plaintext under any AES key size, with output length 8*ceil(n/8)+8', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 24, 32).chain((length) => fc.uint8Array({ minLength: length, maxLength: length })),
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        (kek, plaintext) => {
          const wrapped = aesKeyWrapPad(kek, plaintext);
          expect(wrapped.length).toBe(8 * Math.ceil(plaintext.length / 8) + 8);
          expect(aesKeyUnwrapPad(kek, wrapped)).toEqual(plaintext);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('fails the integrity check when any byte of the wrapped key changes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (plaintext, position, flip) => {
        const kek = new Uint8Array(32).fill(7);
        const wrapped = aesKeyWrapPad(kek, plaintext);
        wrapped[position % wrapped.length]! ^= flip;
        expect(() => aesKeyUnwrapPad(kek, wrapped)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a key-encryption key that is not an AES key size', () => {
    expect(() => aesKeyWrapPad(new Uint8Array(20), new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
