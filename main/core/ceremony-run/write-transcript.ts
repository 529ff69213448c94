// Writes a ceremony's transcript to a new file, durably; an existing file is never overwritten.
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { OutputFile } from '../../../shared/ceremony-api.ts';
import { writeNewFile } from '../new-files.ts';
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
  const bytes = new TextEncoder().encode(text);
  // Durable and never over an existing file (see ../new-files.ts).
  await writeNewFile(path, bytes, { existsHint: 'A transcript never overwrites a file; choose another name.' });
  return { name: basename(path), path, sha256: createHash('sha256').update(bytes).digest('hex') };
}
