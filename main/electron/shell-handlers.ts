// Desktop-only channels (native file dialogs, the transcript as PDF), validated like the service channels.
import { BrowserWindow, dialog, ipcMain, type OpenDialogOptions } from 'electron';
import type { CeremonyService } from '../../shared/ceremony-api.ts';
import { toErrorReply } from '../../shared/errors.ts';
import { SHELL_CHANNELS } from '../../shared/ipc.ts';
import { createTranscriptPdfHandler, isTrustedSender } from '../ipc/index.ts';
import { printTranscriptToPdf } from './pdf-printer.ts';

type Purpose = 'params-files' | 'entropy-files' | 'share-files' | 'bundle-file' | 'output-folder' | 'save-file';

const DIALOGS: Record<Purpose, OpenDialogOptions['properties']> = {
  'params-files': ['openFile', 'multiSelections'],
  'entropy-files': ['openFile', 'multiSelections'],
  'share-files': ['openFile', 'multiSelections'],
  'bundle-file': ['openFile'],
  'output-folder': ['openDirectory', 'createDirectory'],
  'save-file': ['openDirectory', 'createDirectory'],
};

export function registerShellHandlers(service: CeremonyService): void {
  const spec = SHELL_CHANNELS.choosePaths;
  ipcMain.handle(spec.channel, async (event, request: unknown) => {
    try {
      if (!isTrustedSender(event.senderFrame?.url)) {
        return { ok: false, error: { code: 'IPC_SENDER_REJECTED', message: 'This window is not the app’s own page; the request was refused.' } };
      }
      const parsed = spec.request.safeParse(request);
      if (!parsed.success) {
        return { ok: false, error: { code: 'INVALID_INPUT', message: 'The file dialog request is malformed; nothing was done.' } };
      }
      const window = BrowserWindow.fromWebContents(event.sender);
      const options: OpenDialogOptions = { properties: DIALOGS[parsed.data.purpose] };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      const reply = spec.reply.safeParse({ paths: result.canceled ? [] : result.filePaths });
      if (!reply.success) return { ok: false, error: { code: 'INVALID_INPUT', message: 'A chosen path is too long; choose a shorter one.' } };
      return { ok: true, value: reply.data };
    } catch (error) {
      return { ok: false, error: toErrorReply(error) };
    }
  });

  const saveTranscriptPdf = createTranscriptPdfHandler({ service, printer: printTranscriptToPdf });
  ipcMain.handle(SHELL_CHANNELS.saveTranscriptPdf.channel, (event, request: unknown) =>
    saveTranscriptPdf(request, { frameUrl: event.senderFrame?.url }),
  );
}
