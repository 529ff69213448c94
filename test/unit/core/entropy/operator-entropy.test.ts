import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPERATOR_ENTROPY_MAX_BYTES, operatorEntropyFromDice, operatorEntropyFromFile } from '../../../../main/core/entropy/index.ts';

const folder = mkdtempSync(join(tmpdir(), 'byok-entropy-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('operatorEntropyFromFile', () => {
  it('reads the file and labels it by name and kind', async () => {
    const path = join(folder, 'coin-flips.txt');
    writeFileSync(path, 'HTTHHTHTTTHHTHTH');
    const entropy = await operatorEntropyFromFile(path);
    expect(entropy.kind).toBe('file');
    expect(entropy.label).toBe('file coin-flips.txt');
    expect(Buffer.from(entropy.bytes).toString()).toBe('HTTHHTHTTTHHTHTH');
  });

  it('accepts a file of exactly 1 MiB', async () => {
    const path = join(folder, 'max.bin');
    writeFileSync(path, new Uint8Array(OPERATOR_ENTROPY_MAX_BYTES).fill(1));
    expect((await operatorEntropyFromFile(path)).bytes.length).toBe(OPERATOR_ENTROPY_MAX_BYTES);
  });

  it('refuses an empty file', async () => {
    const path = join(folder, 'empty.bin');
    writeFileSync(path, '');
    await expect(operatorEntropyFromFile(path)).rejects.toMatchObject({ code: 'ENTROPY_SOURCE_INVALID', message: expect.stringMatching(/empty/) });
  });

  it('refuses a file larger than 1 MiB', async () => {
    const path = join(folder, 'huge.bin');
    writeFileSync(path, new Uint8Array(OPERATOR_ENTROPY_MAX_BYTES + 1));
    await expect(operatorEntropyFromFile(path)).rejects.toMatchObject({ code: 'ENTROPY_SOURCE_INVALID', message: expect.stringMatching(/1 MiB/) });
  });

  it('refuses something that is not a regular file, naming it by the path given', async () => {
    const path = join(folder, 'a-folder');
    mkdirSync(path);
    await expect(operatorEntropyFromFile(path)).rejects.toMatchObject({ code: 'ENTROPY_SOURCE_INVALID', message: expect.stringContaining(`The entropy source ${path} is not a regular file`) });
    await expect(operatorEntropyFromFile('/dev/null')).rejects.toMatchObject({ code: 'ENTROPY_SOURCE_INVALID', message: expect.stringContaining('The entropy source /dev/null is not') });
  });

  it('says when the file does not exist, naming it by the path given', async () => {
    await expect(operatorEntropyFromFile('/nonexistent')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining('The entropy file /nonexistent does not exist') });
  });
});

describe('operatorEntropyFromDice', () => {
  it('takes digits 1 to 6, ignores spaces, and records the count', () => {
    const entropy = operatorEntropyFromDice('1 2 3\n4 5 6 66');
    expect(entropy).toEqual({ kind: 'dice', label: '8 dice rolls', bytes: new TextEncoder().encode('12345666') });
  });

  it.each(['1230', '17', '12a', '1,2', '-1', '٣'])('refuses %j, naming the position but not the rolls', (rolls) => {
    let caught: unknown;
    try {
      operatorEntropyFromDice(rolls);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'ENTROPY_SOURCE_INVALID', message: expect.stringMatching(/only the digits 1 to 6/) });
    expect((caught as Error).message).not.toContain(rolls);
  });

  it('refuses no rolls at all', () => {
    expect(() => operatorEntropyFromDice('   ')).toThrowError(expect.objectContaining({ code: 'ENTROPY_SOURCE_INVALID' }));
  });
});
