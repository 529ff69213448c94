// The only bridge between the page and the main process: one frozen `window.byok` with one method per
// channel of the table and a progress subscription. No generic invoke; the page never sees ipcRenderer.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { ByokApi, IpcProgressEvent } from '../../shared/ipc.ts';
import { IPC_CHANNEL_IDS, PROGRESS_CHANNEL, SHELL_CHANNEL_IDS, type IpcMethodName } from '../../shared/ipc-names.ts';

// The preload only routes; main/ipc validates. It imports the zod-free names so it stays small.
const methods = Object.fromEntries(
  (Object.keys(IPC_CHANNEL_IDS) as IpcMethodName[]).map((name) => {
    const channel = IPC_CHANNEL_IDS[name]; // fixed per method, never taken from the page
    return [name, (request: unknown) => ipcRenderer.invoke(channel, request)];
  }),
);

const api = Object.freeze({
  ...methods,
  onProgress(listener: (event: IpcProgressEvent) => void): () => void {
    const forward = (_event: IpcRendererEvent, progress: IpcProgressEvent) => listener(progress);
    ipcRenderer.on(PROGRESS_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(PROGRESS_CHANNEL, forward);
    };
  },
  shell: Object.freeze({
    choosePaths: (request: unknown) => ipcRenderer.invoke(SHELL_CHANNEL_IDS.choosePaths, request),
    pathForFile: (file: File) => webUtils.getPathForFile(file),
    saveTranscriptPdf: (request: unknown) => ipcRenderer.invoke(SHELL_CHANNEL_IDS.saveTranscriptPdf, request),
  }),
}) as unknown as ByokApi;

contextBridge.exposeInMainWorld('byok', api);
