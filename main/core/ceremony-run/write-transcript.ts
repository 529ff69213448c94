// Writes a ceremony's transcript to a new file; an existing file is never overwritten.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { OutputFile } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import type { CeremonyState } from './ceremony-state.ts';
import { renderHtml, renderMarkdown } from './render-transcript.ts';
import { buildTranscript } from './transcript-document.ts';

export type TranscriptFormat = 'md' | 'html';

export async function renderTranscript(state: CeremonyState, format: TranscriptFormat): Promise<string> {
  const document = buildTranscript(state);
  return format === 'html' ? renderHtml(document) : renderMarkdown(document);
}

export async function writeTranscript(state: CeremonyState, out: string, format: TranscriptFormat): Promise<OutputFile> {
  const path = resolve(out);
  const text = await renderTranscript(state, format);
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ByokError('OUTPUT_EXISTS', `${path} already exists; a transcript never overwrites a file. Choose another name.`);
    throw new ByokError('STORAGE_FAILED', `Cannot create ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}. Check the folder exists and is writable.`);
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { name: basename(path), path, sha256: createHash('sha256').update(text).digest('hex') };
}
