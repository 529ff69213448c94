// `npm run build`: the renderer with Vite (main/build/vite.config.ts) to dist/renderer, and the Electron main process
// and preload bundled with esbuild to dist/electron/{main,preload}.cjs. Native and wasm modules stay
// external (they load from node_modules, unpacked from the asar by electron-builder.yml).
import { build as viteBuild } from 'vite';
import { build as esbuild } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Kept out of the bundle and loaded from node_modules at run time: Electron itself, the native keychain
// binding, sql.js (it locates its wasm beside itself) and the Tencent SDK (loaded through createRequire).
const external = ['electron', '@napi-rs/keyring', 'sql.js', 'tencentcloud-sdk-nodejs-common'];

/** `outDir` lets tests build a private copy instead of racing over dist/renderer. */
export async function buildRenderer(outDir?: string): Promise<void> {
  await viteBuild({
    configFile: `${root}main/build/vite.config.ts`,
    logLevel: 'warn',
    ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}),
  });
}

export async function buildElectron(): Promise<void> {
  mkdirSync(`${root}dist/electron`, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: 'node22',
    external,
    sourcemap: false,
    logLevel: 'warning' as const,
    // The core is ESM and may use import.meta.url; in the CJS bundle it is the bundle's own file URL.
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  };
  await Promise.all([
    esbuild({ ...common, entryPoints: [`${root}main/electron/main.ts`], outfile: `${root}dist/electron/main.cjs` }),
    esbuild({ ...common, entryPoints: [`${root}main/electron/preload.ts`], outfile: `${root}dist/electron/preload.cjs` }),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv[2];
  const started = Date.now();
  if (only !== 'electron') await buildRenderer();
  if (only !== 'renderer') await buildElectron();
  console.log(`Built ${only ?? 'renderer and electron'} into dist/ in ${Date.now() - started} ms.`);
}
