import { describe, expect, it } from 'vitest';
import { expandSm4Key, sm4EncryptBlock } from '../../../../main/core/keys/sm4.ts';

const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('SM4 block cipher (GB/T 32907-2016)', () => {
  it('encrypts the standard example: key = plaintext = 0123456789abcdeffedcba9876543210', () => {
    const block = hex('0123456789abcdeffedcba9876543210');
    sm4EncryptBlock(expandSm4Key(hex('0123456789abcdeffedcba9876543210')), block);
    expect(toHex(block)).toBe('681edf34d206965e86b3e94f536e4246');
  });

  it('matches the standard example of 1,000,000 successive encryptions', () => {
    const block = hex('0123456789abcdeffedcba9876543210');
    const roundKeys = expandSm4Key(hex('0123456789abcdeffedcba9876543210'));
    for (let i = 0; i < 1_000_000; i++) sm4EncryptBlock(roundKeys, block);
    expect(toHex(block)).toBe('595298c7c6fd271f0402f804c33d3f66');
  });

  it('refuses keys and blocks that are not 16 bytes', () => {
    expect(() => expandSm4Key(new Uint8Array(15))).toThrow(RangeError);
    expect(() => sm4EncryptBlock(new Uint32Array(32), new Uint8Array(17))).toThrow(RangeError);
  });
});
