// Runs a command with a working Secret Service (the Linux OS keychain).
//
// When a Secret Service is already reachable (a desktop session), the command runs as is. Otherwise
// (CI, containers, SSH) it starts a private D-Bus bus and a throwaway, unlocked gnome-keyring
// (test/harness/private-keyring.ts), waits until a real store/lookup round trip succeeds, runs the command
// with that environment, and stops both afterwards. The keyring is discarded.
//
// With --private, the throwaway keyring is used even when a desktop keychain is reachable: tests and
// benchmarks never write into a developer's real keychain. BYOK_KEYRING_DATA keeps the keyring files in
// that folder across runs (tests that reopen a keyring).
//
// Usage: node test/harness/with-keychain.ts [--private] <command> [args...]
import { spawn, spawnSync } from 'node:child_process';
import { startPrivateKeyring, type PrivateKeyring } from './private-keyring.ts';

async function secretServiceWorks(): Promise<boolean> {
  if (process.platform !== 'linux') return true; // macOS Keychain and Windows Credential Manager are always there
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) return false;
  try {
    const { Entry } = await import('@napi-rs/keyring');
    const probe = new Entry('byok-ceremony.probe', `probe-${process.pid}`, { linux: { store: 'secret-service' } });
    probe.setSecret(new Uint8Array([1, 2, 3]));
    const readBack = probe.getSecret();
    probe.deleteCredential();
    return Array.isArray(readBack) && readBack.length === 3;
  } catch {
    return false;
  }
}

function run(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', (error) => {
      console.error(`with-keychain: could not start ${command[0]}: ${error.message}`);
      resolve(127);
    });
  });
}

function requireTool(name: string, debianPackage: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    console.error(
      `with-keychain: no Secret Service is reachable and '${name}' is not installed.\n` +
        `Install it (Debian/Ubuntu: apt-get install ${debianPackage}) or run inside a desktop session.`,
    );
    process.exit(2);
  }
}

async function main(): Promise<void> {
  let command = process.argv.slice(2);
  const forcePrivate = command[0] === '--private';
  if (forcePrivate) command = command.slice(1);
  if (command.length === 0) {
    console.error('usage: node test/harness/with-keychain.ts [--private] <command> [args...]');
    process.exit(2);
  }
  // Already inside a private keyring (a test running a nested command): use it.
  if (process.env.BYOK_PRIVATE_KEYRING === '1' && (await secretServiceWorks())) process.exit(await run(command, process.env));
  if (!forcePrivate && (await secretServiceWorks())) process.exit(await run(command, process.env));
  requireTool('dbus-daemon', 'dbus');
  requireTool('gnome-keyring-daemon', 'gnome-keyring');
  requireTool('secret-tool', 'libsecret-tools');
  if (forcePrivate) {
    console.error('with-keychain: using a private D-Bus bus with a throwaway gnome-keyring.');
  } else {
    // A real user may be here (npm run ui:browser on a machine without a desktop session): say loudly
    // that backups written now will not outlive this session.
    console.error(
      'with-keychain: WARNING: no Secret Service is reachable, so a THROWAWAY keyring is started for this session.\n' +
        '  Keychain backups written now are deleted when it ends: use this for demos, rehearsals and tests only.\n' +
        '  For real keys, run inside a desktop session with gnome-keyring (or KWallet) unlocked.',
    );
  }
  let keyring: PrivateKeyring | undefined;
  const stop = () => {
    keyring?.stop();
    keyring = undefined;
  };
  process.on('exit', stop);
  keyring = await startPrivateKeyring(process.env.BYOK_KEYRING_DATA ? { dataHome: process.env.BYOK_KEYRING_DATA } : {});
  const code = await run(command, { ...keyring.env, BYOK_PRIVATE_KEYRING: '1' });
  stop();
  process.exit(code);
}

await main();
