import { spawn, spawnSync } from 'node:child_process';
import { link as realLink, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isNewFileTemp, writeNewFile, writeNewFiles } from '../../../main/core/new-files.ts';

// link() is wrapped so a test can make one call fail (an I/O error, a racing file, no hard links).
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, link: vi.fn(actual.link), open: vi.fn(actual.open) };
});
const mockedLink = vi.mocked(fsPromises.link);
const mockedOpen = vi.mocked(fsPromises.open);
const realOpen = mockedOpen.getMockImplementation()!;

const folders: string[] = [];
function freshFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'byok-new-files-'));
  folders.push(folder);
  return folder;
}
afterEach(() => {
  mockedOpen.mockReset();
  mockedOpen.mockImplementation(realOpen);
  mockedLink.mockReset();
  mockedLink.mockImplementation((existing, path) => new Promise((resolve, reject) => realLink(existing, path, (error) => (error ? reject(error) : resolve()))));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const set = [
  { name: 'EncryptedKeyMaterial.bin', bytes: new Uint8Array([1, 2, 3]) },
  { name: 'ImportToken.bin', bytes: new Uint8Array([4, 5]) },
  { name: 'bundle.json', bytes: new TextEncoder().encode('{}\n') },
];

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

/** The pid of a process that has exited (a killed run's pid). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('writeNewFiles', () => {
  it('writes every file under its final name and leaves no temporary name behind', async () => {
    const folder = freshFolder();
    const paths = await writeNewFiles(folder, set);
    expect(paths).toEqual(set.map((file) => join(folder, file.name)));
    expect(readdirSync(folder).sort()).toEqual(['EncryptedKeyMaterial.bin', 'ImportToken.bin', 'bundle.json']);
    for (const file of set) {
      expect(readFileSync(join(folder, file.name))).toEqual(Buffer.from(file.bytes));
      expect(statSync(join(folder, file.name)).nlink).toBe(1);
    }
  });

  it('links the files in order, the last one (the commit marker) last', async () => {
    const folder = freshFolder();
    await writeNewFiles(folder, set);
    expect(mockedLink.mock.calls.map(([, target]) => String(target))).toEqual(set.map((file) => join(folder, file.name)));
    expect(mockedLink.mock.calls.every(([temp]) => isNewFileTemp(String(temp).split('/').at(-1)!))).toBe(true);
  });

  it('creates files with the permission bits asked for', async () => {
    const folder = freshFolder();
    const path = await writeNewFile(join(folder, 'share.json'), new Uint8Array([1]), { mode: 0o600 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses with OUTPUT_EXISTS when a name is taken, before writing anything, and leaves that file untouched', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'ImportToken.bin'), 'earlier ceremony');
    await expect(writeNewFiles(folder, set)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining('ImportToken.bin') });
    expect(readdirSync(folder)).toEqual(['ImportToken.bin']);
    expect(readFileSync(join(folder, 'ImportToken.bin'), 'utf8')).toBe('earlier ceremony');
    expect(mockedLink).not.toHaveBeenCalled();
  });

  it('removes the files it already linked when a later link fails, and reports STORAGE_FAILED', async () => {
    const folder = freshFolder();
    mockedLink.mockImplementationOnce((existing, path) => new Promise((resolve, reject) => realLink(existing, path, (error) => (error ? reject(error) : resolve()))));
    mockedLink.mockImplementationOnce(async () => {
      throw errno('EIO');
    });
    await expect(writeNewFiles(folder, set)).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    expect(mockedLink).toHaveBeenCalledTimes(2);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('leaves nothing behind when writing a file fails (a full disk)', async () => {
    const folder = freshFolder();
    let creates = 0;
    mockedOpen.mockImplementation(async (path, flags, mode) => {
      const handle = await realOpen(path, flags, mode);
      if (flags === 'wx' && ++creates === 2) {
        handle.writeFile = async () => {
          throw errno('ENOSPC');
        };
      }
      return handle;
    });
    await expect(writeNewFiles(folder, set)).rejects.toMatchObject({ code: 'STORAGE_FAILED', message: expect.stringContaining('ENOSPC') });
    expect(readdirSync(folder)).toEqual([]);
  });

  it('refuses a name taken while it was writing, keeps that file and removes only its own', async () => {
    const folder = freshFolder();
    mockedLink.mockImplementationOnce((existing, path) => new Promise((resolve, reject) => realLink(existing, path, (error) => (error ? reject(error) : resolve()))));
    mockedLink.mockImplementationOnce(async (existing, path) => {
      writeFileSync(String(path), 'another writer');
      return new Promise((resolve, reject) => realLink(existing, path, (error) => (error ? reject(error) : resolve())));
    });
    await expect(writeNewFiles(folder, set)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining('ImportToken.bin') });
    expect(readdirSync(folder)).toEqual(['ImportToken.bin']);
    expect(readFileSync(join(folder, 'ImportToken.bin'), 'utf8')).toBe('another writer');
  });

  it('writes each file directly (still exclusively) where the filesystem has no hard links', async () => {
    const folder = freshFolder();
    mockedLink.mockImplementation(async () => {
      throw errno('EPERM');
    });
    await writeNewFiles(folder, set);
    expect(readdirSync(folder).sort()).toEqual(['EncryptedKeyMaterial.bin', 'ImportToken.bin', 'bundle.json']);
    expect(readFileSync(join(folder, 'bundle.json'), 'utf8')).toBe('{}\n');
    writeFileSync(join(folder, 'other.bin'), 'keep');
    await expect(writeNewFile(join(folder, 'other.bin'), new Uint8Array([9]))).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(readFileSync(join(folder, 'other.bin'), 'utf8')).toBe('keep');
  });

  it("is not blocked by a killed write's temporary files and unreported finals, and removes them", async () => {
    const folder = freshFolder();
    // What a write killed between its first and second link leaves: three temporary files, one of
    // them also linked under its final name.
    const pid = deadPid();
    const temps = [0, 1, 2].map((index) => join(folder, `.byok-new-${pid}-0badc0de-${index}abc.tmp`));
    temps.forEach((temp, index) => writeFileSync(temp, `killed run ${index}`));
    await fsPromises.link(temps[0]!, join(folder, 'EncryptedKeyMaterial.bin'));
    mockedLink.mockClear();

    await writeNewFiles(folder, set);
    expect(readdirSync(folder).sort()).toEqual(['EncryptedKeyMaterial.bin', 'ImportToken.bin', 'bundle.json']);
    expect(readFileSync(join(folder, 'EncryptedKeyMaterial.bin'))).toEqual(Buffer.from(set[0]!.bytes));
  });

  it('leaves a file alone that merely shares an inode with nothing of ours', async () => {
    const folder = freshFolder();
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    await fsPromises.link(join(folder, 'notes.txt'), join(folder, 'notes-copy.txt'));
    await writeNewFiles(folder, set);
    expect(readdirSync(folder).sort()).toEqual(['EncryptedKeyMaterial.bin', 'ImportToken.bin', 'bundle.json', 'notes-copy.txt', 'notes.txt']);
  });

  it('keeps the temporary files of a process that is still running', async () => {
    const folder = freshFolder();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const temp = join(folder, `.byok-new-${sleeper.pid}-0badc0de-1234.tmp`);
      writeFileSync(temp, 'being written');
      await writeNewFiles(folder, set);
      expect(readdirSync(folder)).toContain(temp.split('/').at(-1));
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});
