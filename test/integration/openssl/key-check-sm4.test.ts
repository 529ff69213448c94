// Our pure-JS SM4 and SM4-CMAC against OpenSSL's, on random keys and messages.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cmac } from '../../../main/core/keys/cmac.ts';
import { expandSm4Key, sm4EncryptBlock } from '../../../main/core/keys/sm4.ts';

const folder = mkdtempSync(join(tmpdir(), 'byok-sm4-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('SM4 against openssl', () => {
  it('encrypts 256 random blocks under random keys as openssl SM4-ECB does', () => {
    for (let round = 0; round < 4; round++) {
      const key = randomBytes(16);
      const plaintext = randomBytes(16 * 64);
      const expected = execFileSync('openssl', ['enc', '-sm4-ecb', '-K', key.toString('hex'), '-nopad'], { input: plaintext });
      const roundKeys = expandSm4Key(key);
      const ours = Uint8Array.from(plaintext);
      for (let offset = 0; offset < ours.length; offset += 16) sm4EncryptBlock(roundKeys, ours.subarray(offset, offset + 16));
      expect(Buffer.from(ours).equals(expected)).toBe(true);
    }
  });

  it.each([0, 1, 15, 16, 17, 32, 47, 64])('computes SM4-CMAC of a %i-byte message as openssl mac does', (length) => {
    const key = randomBytes(16);
    const message = randomBytes(length);
    const path = join(folder, `message-${length}.bin`);
    writeFileSync(path, message);
    const expected = execFileSync('openssl', ['mac', '-cipher', 'SM4-CBC', '-macopt', `hexkey:${key.toString('hex')}`, '-in', path, 'CMAC'], { encoding: 'utf8' });
    const roundKeys = expandSm4Key(key);
    expect(Buffer.from(cmac((block) => sm4EncryptBlock(roundKeys, block), message)).toString('hex').toUpperCase()).toBe(expected.trim());
  });
});
