// The printable transcript of the audit log, written once (never over an existing file).
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { OutputFile } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import type { CoreContext } from './context.ts';
import { sha256Hex } from './hashing.ts';

export async function exportAudit(context: CoreContext, request: { format: 'md' | 'html'; out: string }): Promise<OutputFile> {
  const text = context.audit.exportTranscript(request.format);
  const bytes = new TextEncoder().encode(text);
  let handle;
  try {
    handle = await open(request.out, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ByokError('OUTPUT_EXISTS', `${request.out} already exists; a transcript is never overwritten. Choose another file name.`);
    throw new ByokError('STORAGE_FAILED', `Cannot create ${request.out}. Check that the folder exists and is writable.`);
  }
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { name: basename(request.out), path: request.out, sha256: sha256Hex(bytes) };
}
