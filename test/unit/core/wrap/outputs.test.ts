import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fsPromises from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { planOutputs, writeOutputs } from '../../../../main/core/wrap/outputs.ts';

// link() is wrapped so a test can make the link of one file fail.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, link: vi.fn(actual.link) };
});

const folders: string[] = [];
function freshFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'byok-outputs-'));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const files = [
  { name: 'EncryptedKeyMaterial.bin', bytes: new Uint8Array([1, 2, 3]) },
  { name: 'bundle.json', bytes: new TextEncoder().encode('{}\n') },
];

describe('writeOutputs', () => {
  it('creates the folder, writes every file and reports its SHA-256', async () => {
    const out = join(freshFolder(), 'new', 'ceremony');
    const written = await writeOutputs(out, files);
    expect(written.map((file) => file.name)).toEqual(['EncryptedKeyMaterial.bin', 'bundle.json']);
    for (const [index, file] of written.entries()) {
      expect(readFileSync(file.path)).toEqual(Buffer.from(files[index]!.bytes));
      expect(file.sha256).toBe(createHash('sha256').update(files[index]!.bytes).digest('hex'));
    }
  });

  it('refuses with OUTPUT_EXISTS when any target exists, writes nothing and leaves the folder as it was', async () => {
    const out = freshFolder();
    writeFileSync(join(out, 'bundle.json'), 'earlier ceremony');
    await expect(writeOutputs(out, files)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining('bundle.json') });
    expect(readdirSync(out)).toEqual(['bundle.json']);
    expect(readFileSync(join(out, 'bundle.json'), 'utf8')).toBe('earlier ceremony');
  });

  it('treats a dangling symlink at a target as an existing output', async () => {
    const out = freshFolder();
    symlinkSync(join(out, 'nowhere'), join(out, 'bundle.json'));
    await expect(writeOutputs(out, files)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readdirSync(out)).toEqual(['bundle.json']);
  });

  it('leaves no output file behind when writing the set fails half-way', async () => {
    const out = join(freshFolder(), 'new');
    const real = vi.mocked(fsPromises.link).getMockImplementation()!;
    vi.mocked(fsPromises.link).mockImplementationOnce(real).mockImplementationOnce(async () => {
      throw Object.assign(new Error('EIO: simulated'), { code: 'EIO' });
    });
    await expect(writeOutputs(out, [{ name: 'ImportToken.bin', bytes: new Uint8Array(2) }, ...files])).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    expect(readdirSync(out)).toEqual([]);
    // And the retry is not refused.
    expect((await writeOutputs(out, files)).map((file) => file.name)).toEqual(['EncryptedKeyMaterial.bin', 'bundle.json']);
  });

  it('refuses a file name with a folder in it', async () => {
    const out = freshFolder();
    await expect(writeOutputs(out, [{ name: '../escape.bin', bytes: new Uint8Array(1) }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses two outputs with the same name', async () => {
    await expect(planOutputs(freshFolder(), ['a.bin', 'a.bin'])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('does not create a missing folder when it refuses', async () => {
    const out = join(freshFolder(), 'absent');
    await expect(writeOutputs(out, [{ name: 'a/b', bytes: new Uint8Array(1) }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(existsSync(out)).toBe(false);
  });
});
