import { createCipheriv } from 'node:crypto';
import { cmac as nobleAesCmac } from '@noble/ciphers/aes.js';
import { describe, expect, it } from 'vitest';
import { cmac } from '../../../../main/core/keys/cmac.ts';

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** AES as a bare block cipher (ECB, one block, no padding) to drive the generic CMAC. */
function aesBlock(key: Uint8Array) {
  return (block: Uint8Array) => {
    const cipher = createCipheriv(`aes-${key.length * 8}-ecb`, key, null).setAutoPadding(false);
    block.set(cipher.update(block));
    cipher.final();
  };
}

const MESSAGE_64 = hex(`6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51
  30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710`);

// RFC 4493 section 4 (AES-128) and NIST SP 800-38B appendix D.3 (AES-256).
const VECTORS = [
  { name: 'RFC 4493 AES-128, empty message', key: '2b7e1516 28aed2a6 abf71588 09cf4f3c', length: 0, tag: 'bb1d6929 e9593728 7fa37d12 9b756746' },
  { name: 'RFC 4493 AES-128, 16-byte message', key: '2b7e1516 28aed2a6 abf71588 09cf4f3c', length: 16, tag: '070a16b4 6b4d4144 f79bdd9d d04a287c' },
  { name: 'RFC 4493 AES-128, 40-byte message', key: '2b7e1516 28aed2a6 abf71588 09cf4f3c', length: 40, tag: 'dfa66747 de9ae630 30ca3261 1497c827' },
  { name: 'RFC 4493 AES-128, 64-byte message', key: '2b7e1516 28aed2a6 abf71588 09cf4f3c', length: 64, tag: '51f0bebf 7e3b9d92 fc497417 79363cfe' },
  {
    name: 'SP 800-38B AES-256, empty message',
    key: '603deb10 15ca71be 2b73aef0 857d7781 1f352c07 3b6108d7 2d9810a3 0914dff4',
    length: 0,
    tag: '028962f6 1b7bf89e fc6b551f 4667d983',
  },
  {
    name: 'SP 800-38B AES-256, 16-byte message',
    key: '603deb10 15ca71be 2b73aef0 857d7781 1f352c07 3b6108d7 2d9810a3 0914dff4',
    length: 16,
    tag: '28a7023f 452e8f82 bd4bf28d 8c37c35c',
  },
  {
    name: 'SP 800-38B AES-256, 64-byte message',
    key: '603deb10 15ca71be 2b73aef0 857d7781 1f352c07 3b6108d7 2d9810a3 0914dff4',
    length: 64,
    tag: 'e1992190 549f6ed5 696a2c05 6c315410',
  },
];

describe('CMAC over a 128-bit block cipher', () => {
  it.each(VECTORS)('matches $name with AES as the block cipher', ({ key, length, tag }) => {
    expect(toHex(cmac(aesBlock(hex(key)), MESSAGE_64.subarray(0, length)))).toBe(tag.replace(/\s/g, ''));
  });

  it.each(VECTORS)('@noble/ciphers AES-CMAC (used for AES KCVs) matches $name', ({ key, length, tag }) => {
    expect(toHex(nobleAesCmac(MESSAGE_64.subarray(0, length), hex(key)))).toBe(tag.replace(/\s/g, ''));
  });
});
