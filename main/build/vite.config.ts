// The renderer build: React, relative asset paths (served from app://renderer/ in the desktop app and
// from the loopback bridge in the browser), output to dist/renderer.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../renderer', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome130',
    chunkSizeWarningLimit: 2000,
  },
  logLevel: 'warn',
});
