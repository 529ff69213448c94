// `npm run ui:browser -- --vault DIR [--port P]`: the real core behind the loopback bridge, for demos,
// rehearsals and browser testing. Builds the renderer when dist/renderer is missing; prints the one-time
// URL on one line; Ctrl-C stops it and closes the vault.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createCeremonyService } from '../core/ceremony.ts';
import { startBridge } from './bridge-server.ts';

const rendererDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { vault: { type: 'string' }, port: { type: 'string' } },
    allowPositionals: false,
  });
  if (!values.vault) {
    console.error('Give the vault folder: npm run ui:browser -- --vault DIR [--port P]');
    process.exit(2);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('--port must be a number from 0 to 65535.');
    process.exit(2);
  }
  if (!existsSync(`${rendererDir}/index.html`)) {
    const { buildRenderer } = await import('../build/build.ts');
    await buildRenderer();
  }
  const service = await createCeremonyService({ vaultDir: values.vault, create: true });
  const bridge = await startBridge({ service, rendererDir, port });
  console.log(`BYOK Ceremony UI (loopback only, link works once): ${bridge.url}`);
  const stop = () => {
    void bridge.close().then(() => service.close()).finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${(error as { code?: string }).code ?? 'ERROR'}: ${error.message}` : 'The bridge could not start.');
  process.exit(1);
});
