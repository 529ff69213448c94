// Renderer entry. In the desktop app the preload has put `window.byok` in place; in the browser (the
// loopback bridge of `npm run ui:browser`) the HTTP shim provides the same object.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { initI18n } from './i18n/index.ts';
import './styles.css';

async function start(): Promise<void> {
  if (!('byok' in window)) {
    const { installHttpBridge } = await import('./bridge/http-byok.ts');
    installHttpBridge();
  }
  await initI18n(navigator.language);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void start();
