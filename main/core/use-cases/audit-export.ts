// The printable transcript of the audit log, written once (never over an existing file) and durably.
import { basename } from 'node:path';
import type { OutputFile } from '../../../shared/ceremony-api.ts';
import { writeNewFile } from '../new-files.ts';
import type { CoreContext } from './context.ts';
import { sha256Hex } from './hashing.ts';

export async function exportAudit(context: CoreContext, request: { format: 'md' | 'html'; out: string }): Promise<OutputFile> {
  const text = context.audit.exportTranscript(request.format);
  const bytes = new TextEncoder().encode(text);
  // Durable and never over an existing file (see ../new-files.ts).
  await writeNewFile(request.out, bytes, { existsHint: 'A transcript is never overwritten; choose another file name.' });
  return { name: basename(request.out), path: request.out, sha256: sha256Hex(bytes) };
}
