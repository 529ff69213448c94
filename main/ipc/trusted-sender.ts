// Which frames may call the IPC table: only the app's own renderer. In the packaged app that is the
// privileged `app://renderer/` protocol main/electron registers; during development a file:// URL inside
// the built renderer folder. Anything else (a navigated-away frame, an iframe, a remote page) is refused.
import { fileURLToPath } from 'node:url';
import { resolve, sep } from 'node:path';

export const APP_PROTOCOL = 'app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_PROTOCOL}://${APP_HOST}`;

export function isTrustedSender(frameUrl: string | null | undefined, rendererDir?: string): boolean {
  if (typeof frameUrl !== 'string' || frameUrl.length === 0 || frameUrl.length > 8192) return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (url.protocol === `${APP_PROTOCOL}:`) return url.host === APP_HOST && url.username === '' && url.password === '';
  if (url.protocol === 'file:' && rendererDir !== undefined) {
    if (url.host !== '') return false;
    let filePath: string;
    try {
      filePath = resolve(fileURLToPath(url));
    } catch {
      return false;
    }
    const root = resolve(rendererDir);
    return filePath.startsWith(root + sep);
  }
  return false;
}
