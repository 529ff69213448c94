// CMAC (NIST SP 800-38B, RFC 4493) over any 128-bit block cipher, given as "encrypt this block in place".
// Used for SM4-CMAC, which no library in reach provides; AES-CMAC comes from @noble/ciphers. The unit
// tests run this code with AES as the block cipher against the RFC 4493 vectors, so the mode itself is
// checked independently of SM4.

export type EncryptBlockInPlace = (block: Uint8Array) => void;

const BLOCK_BYTES = 16;
/** R_128 of SP 800-38B: the low byte of the reduction constant for 128-bit blocks. */
const R_128 = 0x87;

/** Doubling in GF(2^128): shift left one bit, xor R_128 into the last byte if the top bit fell off. */
function double(block: Uint8Array): Uint8Array {
  const doubled = new Uint8Array(BLOCK_BYTES);
  for (let i = 0; i < BLOCK_BYTES; i++) doubled[i] = (block[i]! << 1) | (i + 1 < BLOCK_BYTES ? block[i + 1]! >>> 7 : 0);
  // Constant-time select: mask is 0xff when the top bit was set.
  const mask = -(block[0]! >>> 7) & 0xff;
  doubled[BLOCK_BYTES - 1] = doubled[BLOCK_BYTES - 1]! ^ (R_128 & mask);
  return doubled;
}

/** The full 16-byte tag of `message`. Every intermediate (subkeys, chaining value) is zeroed. */
export function cmac(encryptBlock: EncryptBlockInPlace, message: Uint8Array): Uint8Array {
  const encryptedZero = new Uint8Array(BLOCK_BYTES);
  encryptBlock(encryptedZero);
  const k1 = double(encryptedZero);
  const k2 = double(k1);
  const chain = new Uint8Array(BLOCK_BYTES);
  try {
    const blocks = Math.max(1, Math.ceil(message.length / BLOCK_BYTES));
    const lastComplete = message.length > 0 && message.length % BLOCK_BYTES === 0;
    for (let b = 0; b < blocks - 1; b++) {
      for (let i = 0; i < BLOCK_BYTES; i++) chain[i] = chain[i]! ^ message[b * BLOCK_BYTES + i]!;
      encryptBlock(chain);
    }
    // Last block: xor K1 if complete, else pad with 10...0 and xor K2.
    const start = (blocks - 1) * BLOCK_BYTES;
    const remaining = message.length - start;
    const subkey = lastComplete ? k1 : k2;
    for (let i = 0; i < BLOCK_BYTES; i++) {
      const messageByte = i < remaining ? message[start + i]! : i === remaining ? 0x80 : 0;
      chain[i] = chain[i]! ^ messageByte ^ subkey[i]!;
    }
    encryptBlock(chain);
    return chain.slice();
  } finally {
    encryptedZero.fill(0);
    k1.fill(0);
    k2.fill(0);
    chain.fill(0);
  }
}
