// "Save transcript as PDF" without Electron: the HTML transcript goes through the core's own export into
// a private temp folder, a printer turns that file into PDF bytes (Electron's printToPDF in the app, a
// fake in tests), and the PDF is written once — never over an existing file — and fsynced. The temp
// folder is removed whatever happens. main/electron only supplies the printer and the ipcMain wiring.
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, open, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { CeremonyService } from '../../shared/ceremony-api.ts';
import { ByokError, toErrorReply } from '../../shared/errors.ts';
import { SHELL_CHANNELS, type IpcReply, type PaperSize, type ShellReply, type ShellRequest } from '../../shared/ipc.ts';
import { syncFolder } from '../core/vault/durable-file.ts';
import { isTrustedSender as defaultTrustedSender } from './trusted-sender.ts';

/** Renders the HTML file at `htmlPath` as PDF on `paperSize` paper and returns the PDF's bytes. */
export type TranscriptPrinter = (htmlPath: string, paperSize: PaperSize) => Promise<Uint8Array>;

export interface TranscriptPdfOptions {
  service: Pick<CeremonyService, 'auditExport'>;
  printer: TranscriptPrinter;
  /** Where the private temp folder is made; the OS temp folder by default. */
  tempRoot?: string;
  isTrustedSender?: (frameUrl: string | null | undefined) => boolean;
}

export type TranscriptPdfRequest = ShellRequest<'saveTranscriptPdf'>;
export type TranscriptPdfReply = ShellReply<'saveTranscriptPdf'>;

const PDF_MAGIC = '%PDF-';
const TEMP_PREFIX = 'byok-transcript-';
const TEMP_HTML_NAME = 'transcript.html';

/** The validated handler for the saveTranscriptPdf shell channel; never throws, every failure is typed. */
export function createTranscriptPdfHandler(options: TranscriptPdfOptions) {
  const trusted = options.isTrustedSender ?? ((url) => defaultTrustedSender(url));
  const spec = SHELL_CHANNELS.saveTranscriptPdf;
  return async function handleSaveTranscriptPdf(
    request: unknown,
    context: { frameUrl: string | null | undefined },
  ): Promise<IpcReply<TranscriptPdfReply>> {
    if (!trusted(context.frameUrl)) {
      return { ok: false, error: { code: 'IPC_SENDER_REJECTED', message: 'This window is not the app’s own page; the request was refused.' } };
    }
    const parsed = spec.request.safeParse(request);
    if (!parsed.success) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: 'The PDF request is malformed: give a full path ending in .pdf and a paper size of A4 or Letter. Nothing was written.' } };
    }
    try {
      const saved = await saveTranscriptPdf(parsed.data, options);
      const reply = spec.reply.safeParse(saved);
      if (!reply.success) throw new ByokError('INTERNAL', 'The saved PDF could not be described in a reply; the file was written, check it before use.');
      return { ok: true, value: reply.data };
    } catch (error) {
      return { ok: false, error: toErrorReply(error) };
    }
  };
}

/** Prints the transcript to `out`. Refuses before any work when `out` exists or its folder is missing. */
export async function saveTranscriptPdf(
  request: { out: string; paperSize: PaperSize },
  options: Pick<TranscriptPdfOptions, 'service' | 'printer' | 'tempRoot'>,
): Promise<TranscriptPdfReply> {
  const { out, paperSize } = request;
  await refuseUnusableTarget(out);
  const tempFolder = await mkdtemp(join(options.tempRoot ?? tmpdir(), TEMP_PREFIX)); // mode 0700: private
  try {
    const htmlPath = join(tempFolder, TEMP_HTML_NAME);
    await options.service.auditExport({ format: 'html', out: htmlPath });
    const pdf = await printOrExplain(options.printer, htmlPath, paperSize);
    await writeNewPdf(out, pdf);
    return { name: basename(out), path: out, sha256: createHash('sha256').update(pdf).digest('hex') };
  } finally {
    await rm(tempFolder, { recursive: true, force: true });
  }
}

async function refuseUnusableTarget(out: string): Promise<void> {
  if (!isAbsolute(out)) {
    throw new ByokError('INVALID_INPUT', `${out} is not a full path; give the whole path of the PDF to write (for example /home/you/transcript.pdf).`);
  }
  const existing = await lstat(out).catch(() => undefined);
  if (existing) throw new ByokError('OUTPUT_EXISTS', `${out} already exists; a transcript is never overwritten. Choose another file name.`, { path: out });
  const folder = await stat(dirname(out)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new ByokError('FILE_NOT_FOUND', `The folder ${dirname(out)} does not exist. Create it first or choose another one.`, { path: out });
}

async function printOrExplain(printer: TranscriptPrinter, htmlPath: string, paperSize: PaperSize): Promise<Uint8Array> {
  let pdf: Uint8Array;
  try {
    pdf = await printer(htmlPath, paperSize);
  } catch (error) {
    if (error instanceof ByokError) throw error;
    throw new ByokError('INTERNAL', 'The transcript could not be printed to PDF; nothing was written. Export it as HTML and print it from a browser instead.', undefined, { cause: error });
  }
  if (pdf.length < PDF_MAGIC.length || new TextDecoder().decode(pdf.subarray(0, PDF_MAGIC.length)) !== PDF_MAGIC) {
    throw new ByokError('INTERNAL', 'The print engine returned something that is not a PDF; nothing was written. Export the transcript as HTML and print it from a browser instead.');
  }
  return pdf;
}

/** O_EXCL create, write, fsync, fsync the folder; a partly written file of ours is removed again. */
async function writeNewPdf(out: string, pdf: Uint8Array): Promise<void> {
  let handle;
  try {
    handle = await open(out, 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ByokError('OUTPUT_EXISTS', `${out} appeared while the PDF was being printed; it was not overwritten. Choose another file name.`, { path: out });
    if (code === 'ENOENT') throw new ByokError('FILE_NOT_FOUND', `The folder ${dirname(out)} no longer exists. Create it and save again.`, { path: out });
    throw new ByokError('STORAGE_FAILED', `${out} could not be created (${code ?? 'error'}). Check the folder's permissions and free space.`, { path: out });
  }
  try {
    await handle.writeFile(pdf);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(out).catch(() => undefined); // ours: created with O_EXCL above
    throw new ByokError('STORAGE_FAILED', `${out} could not be written completely (${(error as NodeJS.ErrnoException).code ?? 'error'}); the partial file was removed. Check free space and try again.`, { path: out });
  }
  await handle.close();
  await syncFolder(dirname(out));
}
