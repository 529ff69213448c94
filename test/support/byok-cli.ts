// Runs the real `byok` command as a user would (a child process), for integration tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startPrivateKeyring, type PrivateKeyring } from '../harness/private-keyring.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const BYOK_BIN = join(REPO_ROOT, 'main', 'cli', 'byok.js');

export interface ByokRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when it is one JSON document. */
  json: any;
}

let defaultEnv: NodeJS.ProcessEnv = {};

/** Environment for every `runByok` of this test file (e.g. a private keyring's D-Bus address). */
export function useByokEnv(env: NodeJS.ProcessEnv): void {
  defaultEnv = env;
}

/**
 * For a test file that writes many keychain items: a Secret Service of its own (real gnome-keyring on a
 * private D-Bus bus) for every `runByok` of the file, keeping the keyring the rest of the suite shares
 * small. `env()` is the keyring's environment, for processes the file starts itself.
 */
export function usePrivateKeyring(): { env(): NodeJS.ProcessEnv } {
  let keyring: PrivateKeyring | undefined;
  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    useByokEnv(keyring.env);
  });
  afterAll(() => keyring?.stop());
  return {
    env() {
      if (!keyring) throw new Error('the private keyring starts in beforeAll');
      return keyring.env;
    },
  };
}

export function runByok(args: string[], options: { vault?: string; input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ByokRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BYOK_BIN, ...(options.vault ? ['--vault', options.vault] : []), ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...defaultEnv, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolvePromise({ code, signal, stdout, stderr, json });
    });
    child.stdin.end(options.input ?? '');
  });
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `byok-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
