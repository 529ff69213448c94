// osKeychain against the real Secret Service: items land in the persistent store, and an unreachable or
// locked keychain becomes KEYCHAIN_UNAVAILABLE / KEYCHAIN_LOCKED with a message that says what to do.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freshNamespace, type TestNamespace } from './support.ts';

const fixture = fileURLToPath(new URL('./fixtures/keychain-codes.ts', import.meta.url));
const withKeychain = fileURLToPath(new URL('../../harness/with-keychain.ts', import.meta.url));
let namespace: TestNamespace;
afterEach(async () => {
  await namespace?.cleanup();
});

function runFixture(args: string[], env: NodeJS.ProcessEnv): Record<string, { code: string; message: string }> {
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 30_000 });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  expect(line, result.stderr).toMatch(/^\{/);
  return JSON.parse(line);
}

describe('osKeychain', () => {
  it('stores, reads, lists and deletes binary items', async () => {
    namespace = freshNamespace();
    const { keychain } = namespace;
    const secret = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff); // every byte value, NULs included
    await keychain.set('backup/a/0', secret);
    await keychain.set('other', Uint8Array.of(7));
    expect(await keychain.get('backup/a/0')).toEqual(secret);
    expect((await keychain.list()).sort()).toEqual(['backup/a/0', 'other']);
    expect(await keychain.delete('other')).toBe(true);
    expect(await keychain.delete('other')).toBe(false);
    expect(await keychain.get('other')).toBeNull();
  });

  it('answers from the store on every call when one account is written, read, deleted and written again', async () => {
    namespace = freshNamespace();
    const { keychain } = namespace;
    expect(await keychain.get('reused')).toBeNull();
    await keychain.set('reused', Uint8Array.of(1));
    expect(await keychain.get('reused')).toEqual(Uint8Array.of(1));
    // Changed behind this keychain's back (another process): the next read sees it.
    execFileSync('secret-tool', ['clear', 'service', namespace.service, 'username', 'reused']);
    expect(await keychain.get('reused')).toBeNull();
    await keychain.set('reused', Uint8Array.of(2, 3));
    expect(await keychain.get('reused')).toEqual(Uint8Array.of(2, 3));
    // More accounts than handles kept: the earliest ones still answer.
    for (let index = 0; index < 34; index++) await keychain.set(`many/${index}`, Uint8Array.of(index));
    expect(await keychain.get('many/0')).toEqual(Uint8Array.of(0));
    expect(await keychain.get('many/33')).toEqual(Uint8Array.of(33));
  });

  it('writes to the persistent Secret Service, where secret-tool finds the item', async () => {
    namespace = freshNamespace();
    await namespace.keychain.set('pinned', new TextEncoder().encode('in-the-secret-service'));
    const found = execFileSync('secret-tool', ['lookup', 'service', namespace.service, 'username', 'pinned'], { encoding: 'utf8' });
    expect(found).toBe('in-the-secret-service');
  });

  it('maps an unreachable Secret Service to KEYCHAIN_UNAVAILABLE instead of falling back to the kernel keyring', () => {
    const outcome = runFixture(['--no-warnings', fixture], { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/byok-test-bus' });
    for (const operation of ['set', 'get', 'delete', 'list']) {
      expect(outcome[operation]!.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(outcome[operation]!.message).toMatch(/Secret Service .* must be running/);
    }
  });

  it('maps a locked keyring to KEYCHAIN_LOCKED with a message that says to unlock it', () => {
    // A private D-Bus session and keyring of its own (test/harness/with-keychain.ts), so locking it cannot
    // disturb the tests running beside this one.
    const env = { ...process.env };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    const outcome = runFixture([withKeychain, process.execPath, '--no-warnings', fixture, '--lock'], env);
    for (const operation of ['set', 'get', 'delete', 'list']) {
      expect(outcome[operation]!.code).toBe('KEYCHAIN_LOCKED');
      expect(outcome[operation]!.message).toMatch(/Unlock it/);
    }
  });
});
