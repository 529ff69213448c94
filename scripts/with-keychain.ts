// Runs a command with a working Secret Service (the Linux OS keychain).
//
// When a Secret Service is already reachable (a desktop session), the command runs as is. Otherwise
// (CI, containers, SSH) it starts a private D-Bus session with `dbus-run-session`, starts gnome-keyring's
// secrets component with a throwaway, unlocked keyring in a temporary folder, waits until a real
// write/read/delete round trip succeeds, and only then runs the command. The keyring is discarded after.
//
// With --private, the throwaway keyring is used even when a desktop keychain is reachable: tests and
// benchmarks never write into a developer's real keychain.
//
// Usage: node scripts/with-keychain.ts [--private] <command> [args...]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const INSIDE_FLAG = '--inside-private-session';
const thisScript = fileURLToPath(import.meta.url);

let lastProbeError = '';

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
  } catch (error) {
    lastProbeError = error instanceof Error ? error.message : String(error);
    return false;
  }
}

/** The private session's D-Bus daemon and the prompter it tries to start (no display) are noisy. */
const SESSION_NOISE = /^(dbus-daemon\[\d+\]|\(gcr-prompter:\d+\)|\s*$)/;

function run(command: string[], env: NodeJS.ProcessEnv, options: { quietSession?: boolean } = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), { stdio: ['inherit', 'inherit', options.quietSession ? 'pipe' : 'inherit'], env });
    if (options.quietSession && child.stderr) {
      let pending = '';
      child.stderr.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString('utf8')).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (!SESSION_NOISE.test(line)) process.stderr.write(`${line}\n`);
      });
      child.stderr.on('end', () => {
        if (pending && !SESSION_NOISE.test(pending)) process.stderr.write(pending);
      });
    }
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

function secretsNameOwned(env: NodeJS.ProcessEnv): boolean {
  const reply = spawnSync(
    'dbus-send',
    ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'],
    { env, encoding: 'utf8' },
  );
  return /boolean true/.test(reply.stdout ?? '');
}

/** gnome-keyring-daemon outlives the private bus; stop the one this session started. */
function stopSecretService(env: NodeJS.ProcessEnv): void {
  const reply = spawnSync(
    'dbus-send',
    ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.freedesktop.secrets'],
    { env, encoding: 'utf8' },
  );
  const pid = /uint32 (\d+)/.exec(reply.stdout ?? '')?.[1];
  if (pid) {
    try {
      process.kill(Number(pid), 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

async function startPrivateKeyring(): Promise<{ env: NodeJS.ProcessEnv; cleanup: () => void }> {
  // BYOK_KEYRING_DATA keeps the keyring folder across sessions (tests that restart the keychain).
  const keptDataHome = process.env.BYOK_KEYRING_DATA;
  const dataHome = keptDataHome ?? mkdtempSync(join(tmpdir(), 'byok-keyring-'));
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: dataHome };
  // A session started from inside another one must not find the outer daemon: gnome-keyring-daemon
  // talks to the daemon named by GNOME_KEYRING_CONTROL instead of starting its own.
  for (const inherited of ['GNOME_KEYRING_CONTROL', 'GNOME_KEYRING_PID', 'SSH_AUTH_SOCK', 'BYOK_PRIVATE_KEYRING']) delete env[inherited];
  // --unlock starts the daemon, reads the login keyring's password from stdin (creating the keyring when
  // it does not exist) and leaves it unlocked. A second `--start` call is not made: under load it can
  // start a second daemon that races the first for the bus name, with a locked keyring.
  const unlock = spawnSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], { input: 'byok-test', env, encoding: 'utf8' });
  if (unlock.status !== 0) throw new Error(`gnome-keyring-daemon --unlock failed: ${unlock.stderr}`);
  for (const line of unlock.stdout.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  Object.assign(process.env, env);
  // Probing before the daemon owns its bus name would make D-Bus activate a second, locked daemon
  // (the org.freedesktop.secrets service file) that then wins the name: wait for the owner first.
  // NameHasOwner does not activate anything.
  for (let attempt = 0; attempt < 300 && !secretsNameOwned(env); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
  // Up to 30 s: on a loaded 2-core machine the first keyring write can take seconds.
  for (let attempt = 0; attempt < 300; attempt++) {
    if (await secretServiceWorks()) {
      return {
        env,
        cleanup: () => {
          stopSecretService(env);
          if (!keptDataHome) rmSync(dataHome, { recursive: true, force: true });
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gnome-keyring started but the Secret Service did not answer a write/read round trip within 30 s (last error: ${lastProbeError}).`);
}

async function main(): Promise<void> {
  let args = process.argv.slice(2);
  const forcePrivate = args[0] === '--private';
  if (forcePrivate) args = args.slice(1);
  const inside = args[0] === INSIDE_FLAG;
  const command = inside ? args.slice(1) : args;
  if (command.length === 0) {
    console.error('usage: node scripts/with-keychain.ts <command> [args...]');
    process.exit(2);
  }
  if (inside) {
    const keyring = await startPrivateKeyring();
    const code = await run(command, { ...keyring.env, BYOK_PRIVATE_KEYRING: '1' });
    keyring.cleanup();
    process.exit(code);
  }
  if (process.env.BYOK_PRIVATE_KEYRING === '1' && (await secretServiceWorks())) process.exit(await run(command, process.env));
  if (!forcePrivate && (await secretServiceWorks())) process.exit(await run(command, process.env));
  requireTool('dbus-run-session', 'dbus');
  requireTool('gnome-keyring-daemon', 'gnome-keyring');
  if (forcePrivate) {
    console.error('with-keychain: using a private D-Bus session with a throwaway gnome-keyring.');
  } else {
    // A real user may be here (npm run ui:browser on a machine without a desktop session): say loudly
    // that backups written now will not outlive this session.
    console.error(
      'with-keychain: WARNING: no Secret Service is reachable, so a THROWAWAY keyring is started for this session.\n' +
        '  Keychain backups written now are deleted when it ends: use this for demos, rehearsals and tests only.\n' +
        '  For real keys, run inside a desktop session with gnome-keyring (or KWallet) unlocked.',
    );
  }
  process.exit(await run(['dbus-run-session', '--', process.execPath, thisScript, INSIDE_FLAG, ...command], process.env, { quietSession: true }));
}

await main();
