import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { foldersToCheck } from '../../../../main/core/use-cases/generate-and-wrap.ts';

describe('foldersToCheck: which output folders of a bulk wrap need the full existence check', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'byok-folders-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const aliases = ['bulk-1', 'bulk-2', 'bulk-3'];

  it('names only the aliases whose folder is listed, comparing names case- and normalisation-folded', () => {
    mkdirSync(join(work, 'bulk-2'));
    writeFileSync(join(work, 'BULK-3'), 'a file whose name folds to an alias');
    mkdirSync(join(work, 'unrelated'));
    expect(foldersToCheck(work, aliases)).toEqual(['bulk-2', 'bulk-3']);
    const decomposed = 'caf\u0065\u0301'; // "café" as macOS may list it
    mkdirSync(join(work, decomposed));
    expect(foldersToCheck(work, ['caf\u00e9', 'tea'])).toEqual(['caf\u00e9']);
  });

  it('checks an alias with a "/" by its first part, which is the folder the listing shows', () => {
    mkdirSync(join(work, 'prod'));
    writeFileSync(join(work, 'test'), 'a file where a folder would go');
    expect(foldersToCheck(work, ['prod/db-1', 'test/db-1', 'dev/db-1'])).toEqual(['prod/db-1', 'test/db-1']);
    // A leading "/" is dropped by join(); "/" alone is the output folder itself, always checked.
    expect(foldersToCheck(work, ['/prod/db-2', '//dev', '/', '///'])).toEqual(['/prod/db-2', '/', '///']);
  });

  it('names none when the folder exists and holds none of them', () => {
    mkdirSync(join(work, 'other'));
    expect(foldersToCheck(work, aliases)).toEqual([]);
  });

  it('names the first alias when the folder cannot be listed, so its full check refuses a file or finds nothing', () => {
    expect(foldersToCheck(join(work, 'missing', 'deeper'), aliases)).toEqual(['bulk-1']);
    writeFileSync(join(work, 'a-file'), 'not a folder');
    expect(foldersToCheck(join(work, 'a-file'), aliases)).toEqual(['bulk-1']);
  });
});
