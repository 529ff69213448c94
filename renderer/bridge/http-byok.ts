// `window.byok` over the loopback bridge (main/ui-bridge): the same method names, each a POST to
// /ipc/<method> carrying the session cookie; progress arrives as Server-Sent Events on /events.
// Only used by `npm run ui:browser` and the browser tests; the desktop app has the preload instead.
import type { ByokApi, IpcProgressEvent, IpcReply } from '../../shared/ipc.ts';
import { IPC_CHANNEL_IDS } from '../../shared/ipc-names.ts';

export function createHttpByok(base = ''): ByokApi {
  const listeners = new Set<(event: IpcProgressEvent) => void>();
  let source: EventSource | undefined;
  const ensureEvents = () => {
    if (source) return;
    source = new EventSource(`${base}/events`);
    source.addEventListener('progress', (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as IpcProgressEvent;
      for (const listener of listeners) listener(event);
    });
  };
  const methods = Object.fromEntries(
    Object.keys(IPC_CHANNEL_IDS).map((name) => [
      name,
      async (request: unknown): Promise<IpcReply<unknown>> => {
        const response = await fetch(`${base}/ipc/${name}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(request ?? {}),
        });
        if (response.status === 403) {
          return { ok: false, error: { code: 'IPC_SENDER_REJECTED', message: 'This browser session is not authorised by the bridge; open the URL the bridge printed.' } };
        }
        return (await response.json()) as IpcReply<unknown>;
      },
    ]),
  );
  return Object.freeze({
    ...methods,
    onProgress(listener: (event: IpcProgressEvent) => void) {
      ensureEvents();
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  }) as unknown as ByokApi;
}

export function installHttpBridge(): void {
  Object.defineProperty(window, 'byok', { value: createHttpByok(), writable: false, configurable: false, enumerable: true });
}
