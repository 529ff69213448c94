// M-of-N custodian shares (shamir-secret-sharing) and their files.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { combineShares, splitIntoShares, writeShareFiles, type BackupEntry, type ShareFile } from '../../../../main/core/backup/index.ts';
import { aesEntry, rsaEntry, testCheck } from './check-oracle.ts';

const options = { computeCheck: testCheck };
let rsa: BackupEntry;
beforeAll(async () => {
  rsa = await rsaEntry(2048);
});

function splitInput(entry: BackupEntry, threshold: number, shares: number) {
  return { keyId: entry.keyId, alias: entry.alias, spec: entry.spec, check: entry.check, material: entry.material, threshold, shares };
}

/** All k-element subsets of the list. */
function subsetsOf<T>(items: T[], k: number): T[][] {
  if (k === 0) return [[]];
  return items.flatMap((item, i) => subsetsOf(items.slice(i + 1), k - 1).map((rest) => [item, ...rest]));
}

const clone = (files: ShareFile[]): ShareFile[] => JSON.parse(JSON.stringify(files));

describe('splitIntoShares / combineShares', () => {
  it.each([
    ['AES-256', () => aesEntry(), 3, 5],
    ['RSA-2048 PKCS#8', () => rsa, 2, 4],
  ] as const)('rebuilds a %s key from every %i-of-%i subset of share files', async (_, makeEntry, threshold, shares) => {
    const entry = makeEntry();
    const files = await splitIntoShares(splitInput(entry, threshold, shares), options);
    expect(files).toHaveLength(shares);
    expect(new Set(files.map((file) => file.shareCheck)).size).toBe(shares);
    const subsets = subsetsOf(clone(files), threshold);
    for (const subset of subsets) {
      const combined = await combineShares(subset, options);
      expect(combined.material).toEqual(entry.material);
      expect(combined.check).toEqual(entry.check);
    }
    expect(files[0]).toMatchObject({ format: 'byok-ceremony/share', version: 1, keyId: entry.keyId, keyCheck: entry.check, threshold, shares, index: 1 });
  });

  it('keeps a key without an alias as such', async () => {
    const entry = { ...aesEntry(), alias: null };
    const files = await splitIntoShares(splitInput(entry, 2, 2), options);
    expect(files[0]!.alias).toBeNull();
    expect((await combineShares(clone(files), options)).material).toEqual(entry.material);
  });

  it('refuses fewer shares than the threshold', async () => {
    const files = await splitIntoShares(splitInput(aesEntry(), 3, 5), options);
    await expect(combineShares(clone(files).slice(0, 2), options)).rejects.toMatchObject({ code: 'SHARES_INSUFFICIENT', message: expect.stringContaining('needs 3 shares; only 2') });
  });

  it('names a damaged share', async () => {
    const files = clone(await splitIntoShares({ ...splitInput(aesEntry(), 2, 3), custodians: ['Ana', 'Bo', 'Cy'] }, options));
    const bytes = Buffer.from(files[1]!.share, 'base64');
    bytes[0]! ^= 0x01;
    files[1]!.share = bytes.toString('base64');
    await expect(combineShares(files, options)).rejects.toMatchObject({ code: 'SHARE_INVALID', message: expect.stringMatching(/share 2 of 3 \(file 2, custodian Bo\) is damaged/) });
  });

  it('names a share of another key', async () => {
    const mine = clone(await splitIntoShares(splitInput(aesEntry(), 2, 3), options));
    const theirs = clone(await splitIntoShares(splitInput(aesEntry(), 2, 3), options));
    await expect(combineShares([mine[0]!, mine[1]!, theirs[2]!], options)).rejects.toMatchObject({ code: 'SHARE_INVALID', message: expect.stringContaining('share 3 of 3 (file 3) belongs to key') });
  });

  it('refuses shares whose key check was rewritten to match but whose bytes rebuild another key', async () => {
    const entry = aesEntry();
    const files = clone(await splitIntoShares(splitInput(entry, 2, 2), options));
    const other = clone(await splitIntoShares(splitInput(aesEntry(), 2, 2), options));
    const forged = { ...other[1]!, keyId: entry.keyId, keyCheck: entry.check };
    await expect(combineShares([files[0]!, forged], options)).rejects.toMatchObject({ code: 'SHARE_INVALID', message: expect.stringContaining('Nothing was restored') });
  });

  it('refuses a file that is not a share and the same share twice', async () => {
    const files = clone(await splitIntoShares(splitInput(aesEntry(), 2, 3), options));
    await expect(combineShares([files[0], { hello: 'world' }], options)).rejects.toMatchObject({ code: 'SHARE_INVALID', message: expect.stringContaining('Share file 2') });
    await expect(combineShares([files[0], files[0]], options)).rejects.toMatchObject({ code: 'SHARE_INVALID', message: expect.stringContaining('given twice') });
  });

  it('refuses more than 16 shares, a threshold below 2, and material that does not match its check', async () => {
    await expect(splitIntoShares(splitInput(aesEntry(), 2, 17), options)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(splitIntoShares(splitInput(aesEntry(), 1, 3), options)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(splitIntoShares({ ...splitInput(aesEntry(), 2, 3), check: { kind: 'kcv', value: '000000' } }, options)).rejects.toMatchObject({ code: 'BACKUP_MISMATCH' });
  });
});

describe('writeShareFiles', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one JSON file per share that combines back, and never overwrites', async () => {
    dir = await mkdtemp(join(tmpdir(), 'byok-shares-'));
    const entry = aesEntry();
    const files = await splitIntoShares(splitInput(entry, 2, 3), options);
    const written = await writeShareFiles(dir, files);
    expect(written.map((file) => file.index)).toEqual([1, 2, 3]);
    const parsed = await Promise.all(written.map(async (file) => JSON.parse(await readFile(file.path, 'utf8'))));
    expect((await combineShares(parsed.slice(1), options)).material).toEqual(entry.material);

    const before = await readFile(written[1]!.path);
    await expect(writeShareFiles(dir, files)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await readFile(written[1]!.path)).toEqual(before);
    expect(await readdir(dir)).toHaveLength(3);
  });

  it('removes the files it wrote when a later one already exists', async () => {
    dir = await mkdtemp(join(tmpdir(), 'byok-shares-'));
    const files = await splitIntoShares(splitInput(aesEntry(), 2, 3), options);
    const blocking = join(dir, `share-${files[2]!.keyId}-3-of-3.json`);
    await writeFile(blocking, 'keep me');
    await expect(writeShareFiles(dir, files)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await readdir(dir)).toEqual([`share-${files[2]!.keyId}-3-of-3.json`]);
    expect(await readFile(blocking, 'utf8')).toBe('keep me');
  });
});
