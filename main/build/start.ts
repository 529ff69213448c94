// `npm start`: build the renderer and the main/preload bundles, then run Electron on them.
// Electron 42+ downloads its binary on first use; where that is impossible (an air-gapped or offline
// machine) say what to do instead of leaving only a stack trace.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const build = spawn(process.execPath, [join(root, 'main', 'build', 'build.ts')], { stdio: 'inherit', cwd: root });
build.on('exit', (code) => {
  if (code !== 0) process.exit(code ?? 1);
  const electron = spawn(join(root, 'node_modules', '.bin', 'electron'), ['.', ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
  electron.on('exit', (electronCode, signal) => {
    if (electronCode !== 0 && signal === null) {
      console.error(
        '\nElectron did not start. If the message above says its binary could not be downloaded, this machine\n' +
          'cannot fetch it (offline). Copy an Electron build into the cache (ELECTRON_CACHE) or run the same UI\n' +
          'in a browser with the real core behind it:  npm run ui:browser -- --vault DIR',
      );
    }
    process.exit(electronCode ?? 1);
  });
});
