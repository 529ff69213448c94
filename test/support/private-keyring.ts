// A Secret Service of a test file's own: a private D-Bus session bus and a throwaway, unlocked
// gnome-keyring, for the files that write many keychain items (crash loops, CLI suites). It keeps the
// keyring the rest of the suite shares small and out of their way; the backups are still written to a
// real Secret Service over D-Bus, exactly as on a desktop.
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

export async function startPrivateKeyring(): Promise<PrivateKeyring> {
  const dataHome = mkdtempSync(join(tmpdir(), 'byok-test-keyring-'));
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: dataHome };
  for (const inherited of ['GNOME_KEYRING_CONTROL', 'GNOME_KEYRING_PID', 'SSH_AUTH_SOCK', 'DBUS_SESSION_BUS_ADDRESS']) delete env[inherited];
  const bus = spawnSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1'], { env, encoding: 'utf8' });
  const [address, pid] = bus.stdout.trim().split('\n');
  if (bus.status !== 0 || !address || !pid) throw new Error(`dbus-daemon did not start: ${bus.stderr}`);
  env.DBUS_SESSION_BUS_ADDRESS = address.trim();
  const busPid = Number(pid);
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
    rmSync(dataHome, { recursive: true, force: true });
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
