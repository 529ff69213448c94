// Runs the real `byok` command as a user would (a child process), for integration tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
