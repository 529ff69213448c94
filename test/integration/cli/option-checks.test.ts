// Refusals of the `byok` command that need no keychain: bad numbers and dates are usage errors (exit 2,
// not an internal error), commands that only read never create a vault at a mistyped --vault, and an
// older Node is told what it needs in one line.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BYOK_BIN, REPO_ROOT, runByok, tempDir } from '../../support/byok-cli.ts';
import { writeParamsFile } from '../../fixtures/plans/make-params.ts';
import { createCeremonyFixture } from '../ceremony/ceremony-fixture.ts';

const work = tempDir('option-checks');
afterAll(() => work.remove());

describe('whole-number options are usage errors when out of range', () => {
  const vault = join(work.path, 'numbers-vault');

  it.each(['-1', '1.5', 'abc', '1e3', '99999999999', '0', '10001', ''])('refuses --count %j with exit 2 and the range', async (value) => {
    const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'x', '--count', value], { vault });
    expect(run.code, run.stderr).toBe(2);
    expect(run.json.error.code).toBe('INVALID_ARGUMENT');
    expect(run.json.error.message).toContain('--count must be a whole number from 1 to 10000');
    expect(existsSync(vault)).toBe(false);
  });

  it.each(['abc', '0', '1001'])('refuses --batch-size %j with exit 2 and the range', async (value) => {
    const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'x', '--count', '5', '--batch-size', value], { vault });
    expect(run.code, run.stderr).toBe(2);
    expect(run.json.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('--batch-size must be a whole number from 1 to 1000') });
    expect(existsSync(vault)).toBe(false);
  });

  it('refuses --threshold and --shares outside 2 to 16', async () => {
    const threshold = await runByok(['--json', 'backup', 'split', '--key', 'k', '--threshold', '1.5', '--shares', '3', '--out', join(work.path, 'shares')], { vault });
    expect(threshold.code).toBe(2);
    expect(threshold.json.error.message).toContain('--threshold must be a whole number from 2 to 16');
    const shares = await runByok(['--json', 'backup', 'split', '--key', 'k', '--threshold', '2', '--shares', '-3', '--out', join(work.path, 'shares')], { vault });
    expect(shares.code).toBe(2);
    expect(shares.json.error.message).toContain('--shares must be a whole number from 2 to 16');
  });

  it('refuses a kms-sim --port that is not a TCP port', async () => {
    for (const port of ['70000', '-1', 'http']) {
      const run = await runByok(['--json', 'kms-sim', '--port', port, '--state', join(work.path, 'sim'), '--credentials', join(work.path, 'none.json')]);
      expect(run.code, port).toBe(2);
      expect(run.json.error.message).toContain('--port must be a whole number from 0 to 65535');
    }
  });
});

describe('impossible dates are refused, not rolled over', () => {
  it.each(['2027-02-30T09:00:00Z', '2027-02-29T09:00:00Z', '2027-01-31T24:00:00Z', '2027-13-01T09:00:00Z'])('refuses plan check --at %s', async (at) => {
    const fixture = await createCeremonyFixture(join(work.path, `at-${at.replace(/:/g, '')}`));
    const run = await runByok(['--json', 'plan', 'check', fixture.planPath, '--at', at]);
    expect(run.code).toBe(2);
    expect(run.json.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(at) });
  });
});

describe('commands that only read create no vault', () => {
  it('params inspect reads the file without a vault and leaves the mistyped folder absent', async () => {
    const params = await writeParamsFile(join(work.path, 'aws.json'), { provider: 'aws', validTo: new Date(Date.now() + 5 * 3_600_000) });
    const vault = join(work.path, 'mistyped-vault');
    const run = await runByok(['--json', 'params', 'inspect', params], { vault });
    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ provider: 'aws', wrappingKeySpec: 'RSA_2048' });
    expect(existsSync(vault)).toBe(false);
  });

  it('vault rebuild refuses a missing vault folder and says to pass --vault-id', async () => {
    const vault = join(work.path, 'missing-vault');
    const run = await runByok(['--json', 'vault', 'rebuild'], { vault });
    expect(run.code).toBe(2);
    expect(run.json.error).toMatchObject({ code: 'VAULT_NOT_FOUND', message: expect.stringContaining('--vault-id') });
    expect(run.json.error.message).toContain(vault);
    expect(existsSync(vault)).toBe(false);
  });

  it('vault rebuild refuses a folder with no vault in it and writes nothing there', async () => {
    const folder = join(work.path, 'not-a-vault');
    mkdirSync(folder);
    const run = await runByok(['--json', 'vault', 'rebuild'], { vault: folder });
    expect(run.code).toBe(2);
    expect(run.json.error.code).toBe('VAULT_NOT_FOUND');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('backup restore refuses a missing vault instead of creating one under a new id', async () => {
    const vault = join(work.path, 'restore-vault');
    const run = await runByok(['--json', 'backup', 'restore', '--key', 'some-key'], { vault });
    expect(run.code).toBe(2);
    expect(run.json.error.code).toBe('VAULT_NOT_FOUND');
    expect(existsSync(vault)).toBe(false);
  });
});

describe('the Node.js version check', () => {
  // Pretends to be Node 20 before byok.js runs: the check reads process.versions.node, as on a real Node 20.
  const asNode20 = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.11.1"})';

  function runAs(node: string, preload: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(node, [...preload, BYOK_BIN, '--json', 'keys', 'list'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    });
  }

  it('refuses an older Node in one line, with exit 70, before loading any TypeScript', async () => {
    const run = await runAs(process.execPath, ['--import', asNode20]);
    expect(run.code).toBe(70);
    expect(run.stderr).toBe('byok needs Node.js 24 or newer; this is Node.js 20.11.1. Install Node.js 24 and run byok with it.\n');
    expect(JSON.parse(run.stdout).error.code).toBe('INTERNAL');
  });
});
