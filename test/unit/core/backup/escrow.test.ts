// Passphrase-protected escrow files (scrypt + AES-256-GCM). Tests lower scrypt's cost; the product
// default is fixed and exercised once.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ESCROW_SCRYPT_DEFAULT, readEscrowFile, writeEscrowFile, type BackupEntry } from '../../../../main/core/backup/index.ts';
import { aesEntry, copyEntry, rsaEntry, testCheck } from './check-oracle.ts';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const passphrase = new TextEncoder().encode('correct horse battery staple');
let dir: string;
let rsa: BackupEntry;
beforeAll(async () => {
  rsa = await rsaEntry(2048);
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-escrow-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function headerOf(file: Uint8Array): Record<string, unknown> {
  const length = new DataView(file.buffer, file.byteOffset).getUint32(4);
  return JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + length)));
}

describe('escrow files', () => {
  it('round-trips several keys, recording the KDF parameters and key checks but no material in the header', async () => {
    const entries = [aesEntry(), copyEntry(rsa)];
    const path = join(dir, 'escrow.byok');
    await writeEscrowFile(path, entries, passphrase, { scrypt: FAST, computeCheck: testCheck });
    const file = new Uint8Array(await readFile(path));
    const header = headerOf(file);
    expect(header).toMatchObject({ format: 'byok-ceremony/escrow', version: 1, kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 }, cipher: { name: 'aes-256-gcm' } });
    expect(header.keys).toEqual(entries.map(({ keyId, alias, spec, check, createdAt }) => ({ keyId, alias, spec, check, createdAt })));
    expect(Buffer.from(file).includes(Buffer.from(entries[0]!.material))).toBe(false);

    const opened = await readEscrowFile(path, passphrase, { computeCheck: testCheck });
    expect(opened.map((entry) => entry.material)).toEqual(entries.map((entry) => entry.material));
    expect(opened.map((entry) => entry.check)).toEqual(entries.map((entry) => entry.check));
  });

  it('says the passphrase is wrong when it is', async () => {
    const path = join(dir, 'escrow.byok');
    await writeEscrowFile(path, [aesEntry()], passphrase, { scrypt: FAST });
    await expect(readEscrowFile(path, new TextEncoder().encode('correct horse battery stapler'), { computeCheck: testCheck })).rejects.toMatchObject({ code: 'ESCROW_PASSPHRASE_WRONG' });
  });

  it('detects a changed header byte and a changed ciphertext byte', async () => {
    const path = join(dir, 'escrow.byok');
    await writeEscrowFile(path, [aesEntry('AES_256', 'alias-a')], passphrase, { scrypt: FAST });
    const original = new Uint8Array(await readFile(path));
    const aliasAt = Buffer.from(original).indexOf('alias-a') + 6;
    expect(aliasAt).toBeGreaterThan(6);

    const headerTampered = original.slice();
    headerTampered[aliasAt] = 'b'.charCodeAt(0); // still valid JSON: only authentication can catch it
    await writeFile(join(dir, 'header.byok'), headerTampered);
    await expect(readEscrowFile(join(dir, 'header.byok'), passphrase, { computeCheck: testCheck })).rejects.toMatchObject({ code: 'ESCROW_PASSPHRASE_WRONG' });

    const bodyTampered = original.slice();
    bodyTampered[bodyTampered.length - 20]! ^= 0x01;
    await writeFile(join(dir, 'body.byok'), bodyTampered);
    await expect(readEscrowFile(join(dir, 'body.byok'), passphrase, { computeCheck: testCheck })).rejects.toMatchObject({ code: 'ESCROW_PASSPHRASE_WRONG' });

    await writeFile(join(dir, 'cut.byok'), original.subarray(0, 40));
    await expect(readEscrowFile(join(dir, 'cut.byok'), passphrase, { computeCheck: testCheck })).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' });
  });

  it('never overwrites an existing file', async () => {
    const path = join(dir, 'escrow.byok');
    await writeFile(path, 'previous escrow');
    await expect(writeEscrowFile(path, [aesEntry()], passphrase, { scrypt: FAST })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await readFile(path, 'utf8')).toBe('previous escrow');
  });

  it('refuses a file that asks for a scrypt cost outside the allowed range', async () => {
    const path = join(dir, 'escrow.byok');
    await writeEscrowFile(path, [aesEntry()], passphrase, { scrypt: FAST });
    const file = new Uint8Array(await readFile(path));
    const text = Buffer.from(file).toString('latin1').replace('"N":1024,', '"N":1023,');
    await writeFile(join(dir, 'weak.byok'), Buffer.from(text, 'latin1'));
    await expect(readEscrowFile(join(dir, 'weak.byok'), passphrase, { computeCheck: testCheck })).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' });
  });

  it('uses scrypt N=2^17, r=8, p=1 by default, and such a file opens', async () => {
    expect(ESCROW_SCRYPT_DEFAULT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    const path = join(dir, 'escrow.byok');
    const entry = aesEntry();
    await writeEscrowFile(path, [entry], passphrase);
    expect(headerOf(new Uint8Array(await readFile(path)))).toMatchObject({ kdf: { N: 2 ** 17, r: 8, p: 1 } });
    expect((await readEscrowFile(path, passphrase, { computeCheck: testCheck }))[0]!.material).toEqual(entry.material);
  });
});
