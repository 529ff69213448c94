// The saveTranscriptPdf shell channel without Electron: a fake printer stands in for printToPDF; the
// files (temp HTML, the PDF, a file already at the target) are real, in a temp folder per test.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ByokError } from '../../../shared/errors.ts';
import { SHELL_CHANNELS } from '../../../shared/ipc.ts';
import { createTranscriptPdfHandler, type TranscriptPrinter } from '../../../main/ipc/transcript-pdf.ts';

const TRANSCRIPT_HTML = '<!doctype html><title>BYOK ceremony transcript</title><h1>BYOK ceremony transcript</h1>';
const APP_FRAME = { frameUrl: 'app://renderer/index.html' };

let root: string;
let tempRoot: string;
let outDir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'byok-pdf-test-'));
  tempRoot = join(root, 'tmp');
  outDir = join(root, 'out');
  await Promise.all([mkdir(tempRoot), mkdir(outDir)]);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The core's export as far as this channel cares: writes the HTML once, like exportAudit. */
function fakeService() {
  return {
    auditExport: vi.fn(async (request: { format: 'md' | 'html'; out: string }) => {
      await writeFile(request.out, TRANSCRIPT_HTML, { flag: 'wx' });
      return { name: 'transcript.html', path: request.out, sha256: createHash('sha256').update(TRANSCRIPT_HTML).digest('hex') };
    }),
  };
}

/** A printer that records what it was given and returns a small, real-looking PDF. */
function fakePrinter(bytes = new TextEncoder().encode('%PDF-1.7\n% fake page\n%%EOF\n')) {
  const seen: Array<{ htmlPath: string; paperSize: string; html: string; folderMode: number }> = [];
  const printer = vi.fn<TranscriptPrinter>(async (htmlPath, paperSize) => {
    seen.push({ htmlPath, paperSize, html: await readFile(htmlPath, 'utf8'), folderMode: (await stat(dirname(htmlPath))).mode & 0o777 });
    return bytes;
  });
  return { printer, seen, bytes };
}

function handler(printer: TranscriptPrinter, service = fakeService()) {
  return { service, handle: createTranscriptPdfHandler({ service, printer, tempRoot, isTrustedSender: (url) => url === APP_FRAME.frameUrl }) };
}

describe('saving the transcript as PDF', () => {
  it('prints the exported HTML on the chosen paper and writes the PDF with its SHA-256', async () => {
    const { printer, seen, bytes } = fakePrinter();
    const { handle, service } = handler(printer);
    const out = join(outDir, 'ceremony.pdf');
    const reply = await handle({ out, paperSize: 'Letter' }, APP_FRAME);
    const written = await readFile(out);
    expect(reply).toEqual({ ok: true, value: { name: 'ceremony.pdf', path: out, sha256: createHash('sha256').update(written).digest('hex') } });
    expect(new Uint8Array(written)).toEqual(bytes);
    expect(service.auditExport).toHaveBeenCalledWith({ format: 'html', out: seen[0]?.htmlPath });
    expect(seen).toEqual([expect.objectContaining({ paperSize: 'Letter', html: TRANSCRIPT_HTML })]);
  });

  it('keeps the temp HTML in a private folder and removes it after printing', async () => {
    const { printer, seen } = fakePrinter();
    const { handle } = handler(printer);
    await handle({ out: join(outDir, 'a4.pdf'), paperSize: 'A4' }, APP_FRAME);
    if (process.platform !== 'win32') expect(seen[0]?.folderMode).toBe(0o700);
    expect(existsSync(seen[0]!.htmlPath)).toBe(false);
    expect(await readdir(tempRoot)).toEqual([]);
  });

  it('refuses a target that already exists before exporting or printing, and leaves it untouched', async () => {
    const { printer } = fakePrinter();
    const { handle, service } = handler(printer);
    const out = join(outDir, 'old.pdf');
    await writeFile(out, 'the signed copy');
    const reply = await handle({ out, paperSize: 'A4' }, APP_FRAME);
    expect(reply).toMatchObject({ ok: false, error: { code: 'OUTPUT_EXISTS' } });
    expect(await readFile(out, 'utf8')).toBe('the signed copy');
    expect(service.auditExport).not.toHaveBeenCalled();
    expect(printer).not.toHaveBeenCalled();
  });

  it('treats a dangling symlink at the target as existing (never writes through it)', async () => {
    const { printer } = fakePrinter();
    const { handle } = handler(printer);
    const out = join(outDir, 'link.pdf');
    await symlink(join(root, 'elsewhere.pdf'), out);
    expect(await handle({ out, paperSize: 'A4' }, APP_FRAME)).toMatchObject({ ok: false, error: { code: 'OUTPUT_EXISTS' } });
    expect(existsSync(join(root, 'elsewhere.pdf'))).toBe(false);
  });

  it('never overwrites a file that appears at the target while printing, and still cleans up', async () => {
    const out = join(outDir, 'race.pdf');
    const printer: TranscriptPrinter = async () => {
      await writeFile(out, 'written by someone else meanwhile');
      return new TextEncoder().encode('%PDF-1.7\n%%EOF\n');
    };
    const { handle } = handler(printer);
    expect(await handle({ out, paperSize: 'A4' }, APP_FRAME)).toMatchObject({ ok: false, error: { code: 'OUTPUT_EXISTS' } });
    expect(await readFile(out, 'utf8')).toBe('written by someone else meanwhile');
    expect(await readdir(tempRoot)).toEqual([]);
  });

  it('reports a printer failure as a typed error, writes nothing and removes the temp HTML', async () => {
    const { handle } = handler(async () => {
      throw new Error('renderer crashed at /secret/path');
    });
    const out = join(outDir, 'failed.pdf');
    const reply = await handle({ out, paperSize: 'A4' }, APP_FRAME);
    expect(reply).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringContaining('nothing was written') } });
    expect(JSON.stringify(reply)).not.toContain('/secret/path');
    expect(existsSync(out)).toBe(false);
    expect(await readdir(tempRoot)).toEqual([]);
  });

  it('refuses printer output that is not a PDF', async () => {
    const { printer } = fakePrinter(new TextEncoder().encode('<html>not a pdf</html>'));
    const { handle } = handler(printer);
    const out = join(outDir, 'bogus.pdf');
    expect(await handle({ out, paperSize: 'A4' }, APP_FRAME)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(existsSync(out)).toBe(false);
    expect(await readdir(tempRoot)).toEqual([]);
  });

  it('passes the core’s own typed error through when the export fails, and cleans up', async () => {
    const { printer } = fakePrinter();
    const service = { auditExport: vi.fn(async () => { throw new ByokError('AUDIT_CHAIN_BROKEN', 'The audit chain is broken at event 7; verify it before exporting.'); }) };
    const { handle } = handler(printer, service as never);
    const reply = await handle({ out: join(outDir, 'x.pdf'), paperSize: 'A4' }, APP_FRAME);
    expect(reply).toEqual({ ok: false, error: { code: 'AUDIT_CHAIN_BROKEN', message: 'The audit chain is broken at event 7; verify it before exporting.' } });
    expect(printer).not.toHaveBeenCalled();
    expect(await readdir(tempRoot)).toEqual([]);
  });

  it('says the folder is missing when the target folder does not exist', async () => {
    const { printer } = fakePrinter();
    const { handle } = handler(printer);
    const reply = await handle({ out: join(outDir, 'missing', 't.pdf'), paperSize: 'A4' }, APP_FRAME);
    expect(reply).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
    expect(printer).not.toHaveBeenCalled();
  });
});

describe('the saveTranscriptPdf request', () => {
  const malformed: Array<[string, unknown]> = [
    ['a name not ending in .pdf', { out: '/out/transcript.html', paperSize: 'A4' }],
    ['a NUL byte in the path', { out: '/out/a\u0000b.pdf', paperSize: 'A4' }],
    ['a path over 4096 characters', { out: `/${'x'.repeat(4096)}.pdf`, paperSize: 'A4' }],
    ['an empty path', { out: '', paperSize: 'A4' }],
    ['an unknown paper size', { out: '/out/t.pdf', paperSize: 'A3' }],
    ['a missing paper size', { out: '/out/t.pdf' }],
    ['an unknown extra field', { out: '/out/t.pdf', paperSize: 'A4', overwrite: true }],
    ['not an object', '/out/t.pdf'],
  ];

  it.each(malformed)('refuses %s with INVALID_INPUT before doing anything', async (_kind, request) => {
    const { printer } = fakePrinter();
    const { handle, service } = handler(printer);
    expect(await handle(request, APP_FRAME)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(service.auditExport).not.toHaveBeenCalled();
    expect(printer).not.toHaveBeenCalled();
  });

  it('accepts .PDF in upper case, as the schema allows any case', () => {
    expect(SHELL_CHANNELS.saveTranscriptPdf.request.safeParse({ out: '/out/T.PDF', paperSize: 'Letter' }).success).toBe(true);
  });

  it('refuses a relative path (the main process has no meaningful working folder)', async () => {
    const { printer } = fakePrinter();
    const { handle } = handler(printer);
    expect(await handle({ out: 'transcript.pdf', paperSize: 'A4' }, APP_FRAME)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(printer).not.toHaveBeenCalled();
  });

  it('refuses a frame that is not the app’s own page', async () => {
    const { printer } = fakePrinter();
    const { handle, service } = handler(printer);
    const reply = await handle({ out: join(outDir, 't.pdf'), paperSize: 'A4' }, { frameUrl: 'https://example.com/' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'IPC_SENDER_REJECTED' } });
    expect(service.auditExport).not.toHaveBeenCalled();
  });
});
