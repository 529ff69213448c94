// The window's security policy in one place: the CSP (sent as a header by the app protocol and repeated in
// index.html's meta tag) and the webPreferences every window gets.
import type { Session, WebPreferences } from 'electron';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function secureWebPreferences(preloadPath: string, devTools: boolean): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools,
  };
}

/**
 * The hidden window that prints the transcript to PDF: the same hardening, but no preload (it never
 * talks to the main process), no JavaScript (the transcript is static HTML), its own locked session.
 */
export function printWebPreferences(printSession: Session): WebPreferences {
  const { preload: _noPreload, ...hardened } = secureWebPreferences('', false);
  return { ...hardened, javascript: false, session: printSession, images: true };
}
