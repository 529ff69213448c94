// window.byok for component tests: the real main/ipc handlers (same validation as the app) in front of
// a CeremonyService, called in-process instead of over Electron IPC or HTTP.
import type { CeremonyService } from '../../shared/ceremony-api.ts';
import type { ByokApi, IpcProgressEvent } from '../../shared/ipc.ts';
import { IPC_CHANNEL_IDS } from '../../shared/ipc-names.ts';
import { createIpcHandlers } from '../../main/ipc/index.ts';

export function createInProcessByok(service: CeremonyService): ByokApi {
  const handlers = createIpcHandlers(service, { isTrustedSender: () => true });
  const listeners = new Set<(event: IpcProgressEvent) => void>();
  const methods = Object.fromEntries(
    Object.keys(IPC_CHANNEL_IDS).map((name) => [
      name,
      (request: unknown) =>
        handlers.handle(name, request, {
          frameUrl: 'app://renderer/index.html',
          onProgress: (event) => listeners.forEach((listener) => listener(event)),
        }),
    ]),
  );
  return Object.freeze({
    ...methods,
    onProgress: (listener: (event: IpcProgressEvent) => void) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  }) as unknown as ByokApi;
}

export function installByok(service: CeremonyService): void {
  Object.defineProperty(window, 'byok', { value: createInProcessByok(service), configurable: true, writable: true });
}
