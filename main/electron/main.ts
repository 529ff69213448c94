// The Electron main process: one window, one ceremony service, the IPC table registered once.
// Usage: `electron . [--vault DIR]` (default vault: <userData>/vault).
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { toErrorReply } from '../../shared/errors.ts';
import { join } from 'node:path';
import type { CeremonyService } from '../../shared/ceremony-api.ts';
import { IPC_CHANNELS, PROGRESS_CHANNEL, type ChannelName } from '../../shared/ipc.ts';
import { createCeremonyService } from '../core/ceremony.ts';
import { createIpcHandlers } from '../ipc/index.ts';
import { registerAppScheme, serveRenderer } from './app-protocol.ts';
import { registerShellHandlers } from './shell-handlers.ts';
import { createMainWindow, lockDownSession, lockDownWebContents } from './window.ts';

// Bundled to dist/electron/main.cjs; the renderer is built to dist/renderer next to it.
const rendererDir = join(__dirname, '..', 'renderer');
const preloadPath = join(__dirname, 'preload.cjs');

function vaultDirFromArgs(argv: readonly string[]): string {
  const flag = argv.indexOf('--vault');
  const named = flag >= 0 ? argv[flag + 1] : undefined;
  return named ?? join(app.getPath('userData'), 'vault');
}

function registerIpc(service: CeremonyService): void {
  const handlers = createIpcHandlers(service);
  for (const name of Object.keys(IPC_CHANNELS) as ChannelName[]) {
    ipcMain.handle(IPC_CHANNELS[name].channel, (event, request: unknown) =>
      handlers.handle(name, request, {
        frameUrl: event.senderFrame?.url,
        onProgress: (progress) => {
          if (!event.sender.isDestroyed()) event.sender.send(PROGRESS_CHANNEL, progress);
        },
      }),
    );
  }
}

async function start(): Promise<void> {
  registerAppScheme();
  app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents));
  if (!app.requestSingleInstanceLock()) {
    app.quit(); // one process per vault: the vault file is not shared between writers
    return;
  }
  await app.whenReady();
  lockDownSession();
  serveRenderer(rendererDir);
  const service = await createCeremonyService({ vaultDir: vaultDirFromArgs(process.argv), create: true });
  registerIpc(service);
  registerShellHandlers(service);
  createMainWindow(preloadPath);

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(preloadPath);
  });
  app.on('window-all-closed', () => {
    void service.close().finally(() => app.quit());
  });
}

start().catch((error: unknown) => {
  // The core's typed message says what to do (e.g. VAULT_IN_USE: close the other window); anything else
  // is reported generically, as across IPC.
  const { code, message } = toErrorReply(error);
  console.error(`The app could not start: ${code}: ${message}`);
  if (app.isReady()) dialog.showErrorBox('BYOK Ceremony could not start', `${code}: ${message}`);
  app.exit(1);
});
