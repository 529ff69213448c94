// The Electron half of "Save transcript as PDF": a hidden, hardened window in its own in-memory session
// loads the one temp HTML file and Chromium's print engine renders it. Everything else (temp files,
// never-overwrite, hashing, validation) is in main/ipc/transcript-pdf.ts, which runs under plain Node.
import { BrowserWindow, session, type Session } from 'electron';
import { pathToFileURL } from 'node:url';
import { ByokError } from '../../shared/errors.ts';
import type { PaperSize } from '../../shared/ipc.ts';
import type { TranscriptPrinter } from '../ipc/index.ts';
import { printWebPreferences } from './security-policy.ts';

/** Not `persist:`: nothing the print window loads is kept on disk. */
const PRINT_PARTITION = 'byok-transcript-print';
const PRINT_TIMEOUT_MS = 120_000;

/** The only URLs the print session may load: the temp transcripts being printed right now. */
const printable = new Set<string>();
let printSession: Session | undefined;

function lockedPrintSession(): Session {
  if (printSession) return printSession;
  const ses = session.fromPartition(PRINT_PARTITION, { cache: false });
  ses.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // The transcript is self-contained; any other request (a link, an image URL in a summary) is refused.
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !printable.has(canonicalUrl(details.url)) }));
  printSession = ses;
  return ses;
}

/** Both sides of the allow-list comparison go through the same URL parser (percent-encoding may differ). */
function canonicalUrl(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return '';
  }
}

export const printTranscriptToPdf: TranscriptPrinter = async (htmlPath: string, paperSize: PaperSize) => {
  const url = canonicalUrl(pathToFileURL(htmlPath).href);
  const window = new BrowserWindow({ show: false, width: 900, height: 1200, webPreferences: printWebPreferences(lockedPrintSession()) });
  printable.add(url);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new ByokError('INTERNAL', 'Printing the transcript to PDF took too long and was stopped; nothing was written. Try again, or export HTML and print it from a browser.')),
        PRINT_TIMEOUT_MS,
      );
    });
    const render = (async () => {
      await window.loadURL(url);
      return window.webContents.printToPDF({ pageSize: paperSize, printBackground: true, preferCSSPageSize: false });
    })();
    render.catch(() => undefined); // after a timeout the destroyed window rejects it; nobody waits then
    const pdf = await Promise.race([render, timeout]);
    return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  } finally {
    clearTimeout(timer);
    printable.delete(url);
    if (!window.isDestroyed()) window.destroy();
  }
};
