// A private Secret Service: its own D-Bus session bus and a throwaway, unlocked gnome-keyring (the real
// daemon, over D-Bus, exactly as on a desktop). Used by test/harness/with-keychain.ts to run `npm test`,
// benchmarks and `ui:browser` where no desktop keychain is reachable, and by the keychain-heavy test
// files for a keyring of their own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivateKeyring {
  env: NodeJS.ProcessEnv;
  stop(): void;
}

function dbusCall(env: NodeJS.ProcessEnv, method: string): string {
  return spawnSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', `org.freedesktop.DBus.${method}`, 'string:org.freedesktop.secrets'], { env, encoding: 'utf8' }).stdout ?? '';
}

/** `dataHome`: keep the keyring files there (not removed at stop), e.g. to reopen a keyring in a test. */
export async function startPrivateKeyring(options: { dataHome?: string } = {}): Promise<PrivateKeyring> {
  const dataHome = options.dataHome ?? mkdtempSync(join(tmpdir(), 'byok-keyring-'));
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: dataHome };
  for (const inherited of ['GNOME_KEYRING_CONTROL', 'GNOME_KEYRING_PID', 'SSH_AUTH_SOCK', 'DBUS_SESSION_BUS_ADDRESS']) delete env[inherited];
  // --fork detaches the daemon (its stdio goes nowhere); --print-* hand us its address and pid.
  const bus = spawnSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1'], { env, encoding: 'utf8' });
  const [address, pid] = bus.stdout.trim().split('\n');
  if (bus.status !== 0 || !address || !pid) throw new Error(`dbus-daemon did not start: ${bus.stderr}`);
  env.DBUS_SESSION_BUS_ADDRESS = address.trim();
  const busPid = Number(pid);
  // --unlock starts the daemon and creates (or unlocks) the login keyring with the password on stdin.
  // No second `--start` call: under load it can start another daemon that races for the bus name.
  const unlock = spawnSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], { input: 'byok-test', env, encoding: 'utf8' });
  for (const line of unlock.stdout.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  const stop = () => {
    const owner = /uint32 (\d+)/.exec(dbusCall(env, 'GetConnectionUnixProcessID'))?.[1];
    for (const target of [owner ? Number(owner) : 0, busPid]) {
      try {
        if (target) process.kill(target, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (!options.dataHome) rmSync(dataHome, { recursive: true, force: true });
  };
  // Wait for the daemon to own its name (probing earlier would D-Bus-activate a second, locked one),
  // then for a real store/lookup round trip.
  for (let attempt = 0; attempt < 300; attempt++) {
    if (/boolean true/.test(dbusCall(env, 'NameHasOwner'))) {
      const stored = spawnSync('secret-tool', ['store', '--label=probe', 'service', 'byok-test-probe', 'username', 'probe'], { env, input: 'ok', encoding: 'utf8', timeout: 10_000 });
      const found = spawnSync('secret-tool', ['lookup', 'service', 'byok-test-probe', 'username', 'probe'], { env, encoding: 'utf8', timeout: 10_000 });
      if (stored.status === 0 && found.stdout === 'ok') return { env, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  stop();
  throw new Error('The private gnome-keyring did not answer a store/lookup round trip within 30 s.');
}
