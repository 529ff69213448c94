// `window.byok`, typed from the IPC channel table (shared/ipc.ts): the preload (desktop) or the loopback
// bridge shim (browser) provides it. The renderer talks to nothing else.
import type { ByokApi } from '../shared/ipc.ts';

declare global {
  interface Window {
    byok: ByokApi;
  }
}

export {};
