// Save transcript as PDF end to end, minus Electron: the real core (temp vault, the throwaway keychain of
// test/harness/with-keychain.ts) exports the HTML into the private temp folder, and Debian's Chromium prints it
// with JavaScript off through the DevTools Page.printToPDF call — the one Electron's
// webContents.printToPDF makes. The Electron window itself cannot run here (no Electron binary).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { createCeremonyService } from '../../../main/core/ceremony.ts';
import { createTranscriptPdfHandler, type TranscriptPrinter } from '../../../main/ipc/index.ts';
import type { CeremonyService } from '../../../shared/ceremony-api.ts';

const CHROMIUM_PATH = '/usr/bin/chromium';
const APP_FRAME = { frameUrl: 'app://renderer/index.html' };

let browser: Browser;
let service: CeremonyService;
let root: string;
let tempRoot: string;
const printed: Array<{ html: string; requested: string[] }> = [];

/** Loads only the one temp file, like main/electron/pdf-printer.ts, and prints it on the paper asked. */
const chromiumPrinter: TranscriptPrinter = async (htmlPath, paperSize) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(pathToFileURL(htmlPath).href);
    printed.push({ html: await page.content(), requested });
    return new Uint8Array(await page.pdf({ format: paperSize, printBackground: true }));
  } finally {
    await context.close();
  }
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'byok-pdf-int-'));
  tempRoot = join(root, 'tmp');
  await mkdir(tempRoot);
  await mkdir(join(root, 'out'));
  service = await createCeremonyService({ vaultDir: join(root, 'vault'), create: true, keychainService: `byok-pdf-test/${process.pid}/${Math.random().toString(36).slice(2)}` });
  await service.generateKeys({ spec: 'AES_256', alias: 'alias/pdf-transcript', operator: 'Alice Operator', witnesses: ['Bob Witness'] });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'], headless: true });
});
afterAll(async () => {
  await browser?.close();
  await service?.close();
  await rm(root, { recursive: true, force: true });
});

describe('the transcript saved as PDF by a real print engine', () => {
  it.each([
    ['A4', [595, 842]],
    ['Letter', [612, 792]],
  ] as const)('prints the real transcript on %s paper, writes it once and reports its SHA-256', async (paperSize, [width, height]) => {
    const handle = createTranscriptPdfHandler({ service, printer: chromiumPrinter, tempRoot });
    const out = join(root, 'out', `transcript-${paperSize}.pdf`);
    const reply = await handle({ out, paperSize }, APP_FRAME);
    expect(reply.ok).toBe(true);
    const pdf = await readFile(out);
    expect(reply).toEqual({ ok: true, value: { name: `transcript-${paperSize}.pdf`, path: out, sha256: createHash('sha256').update(pdf).digest('hex') } });
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(text);
    expect(Math.abs(Number(box?.[1]) - width)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(Number(box?.[2]) - height)).toBeLessThanOrEqual(1.5);
    const last = printed.at(-1)!;
    expect(last.html).toContain('BYOK ceremony transcript');
    expect(last.html).toContain('alias/pdf-transcript');
    expect(last.requested).toHaveLength(1); // the transcript is self-contained: nothing else was fetched
    expect(await readdir(tempRoot)).toEqual([]);
  });

  it('refuses to print over an existing file and leaves it as it was', async () => {
    const handle = createTranscriptPdfHandler({ service, printer: chromiumPrinter, tempRoot });
    const out = join(root, 'out', 'signed.pdf');
    await writeFile(out, '%PDF- the copy the witnesses signed');
    const before = printed.length;
    expect(await handle({ out, paperSize: 'A4' }, APP_FRAME)).toMatchObject({ ok: false, error: { code: 'OUTPUT_EXISTS' } });
    expect(await readFile(out, 'utf8')).toBe('%PDF- the copy the witnesses signed');
    expect(printed).toHaveLength(before);
  });
});
