// The connected commands of the real `byok` CLI, end to end, against `byok kms-sim` started as its own
// process: provider add (credentials on stdin, never argv, never in the vault files), remote create-key,
// remote params, wrap with the request file, import, sync. The secrets are then searched for in every
// file of the vault folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SIM_CREDENTIALS } from './sync-support.ts';

const CLI = join(import.meta.dirname, '../../../main/cli/main.ts');
let dir: string;
let simulator: ChildProcess | undefined;
let url: string;

function byok(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--vault', join(dir, 'vault'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

async function json<T>(args: string[], stdin?: string): Promise<T> {
  const result = await byok(['--json', ...args], stdin);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-cli-sync-'));
  await writeFile(join(dir, 'sim-credentials.json'), JSON.stringify(SIM_CREDENTIALS));
  simulator = spawn(process.execPath, [CLI, 'kms-sim', '--port', '0', '--state', join(dir, 'sim'), '--credentials', join(dir, 'sim-credentials.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let output = '';
    simulator!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
      if (match) resolve(match[1]!);
    });
    simulator!.once('exit', (code) => reject(new Error(`kms-sim exited with ${code}: ${output}`)));
  });
});

afterAll(async () => {
  if (simulator && simulator.exitCode === null) {
    const exited = new Promise((resolve) => simulator!.once('exit', resolve));
    simulator.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

it('runs the connected ceremony through the CLI, keeping the credentials out of argv and the vault files', { timeout: 60_000 }, async () => {
  const secret = SIM_CREDENTIALS.aws.secretAccessKey;
  const { keys } = await json<{ keys: Array<{ id: string; kcv: string }> }>(['keys', 'generate', '--spec', 'AES_256', '--alias', 'cli']);
  const key = keys[0]!;
  const added = await json<{ hasCredentials: boolean }>(['provider', 'add', '--name', 'aws', '--type', 'aws', '--region', 'eu-west-1', '--endpoint', url], `${SIM_CREDENTIALS.aws.accessKeyId}\n${secret}\n`);
  expect(added.hasCredentials).toBe(true);
  const listed = await byok(['--json', 'provider', 'list']);
  expect(listed.stdout).not.toContain(secret);

  const created = await json<{ remoteKeyId: string }>(['remote', 'create-key', '--provider', 'aws', '--key', key.id]);
  const request = join(dir, 'request.json');
  await json(['remote', 'params', '--provider', 'aws', '--key', key.id, '--out', request]);
  const expiry = new Date(Date.now() + 30 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const wrapped = await json<{ files: Array<{ name: string; path: string }> }>(['wrap', '--key', key.id, '--params', request, '--out', join(dir, 'out'), '--material-expiry', expiry]);
  const bundle = wrapped.files.find((file) => file.name === 'bundle.json')!.path;
  const imported = await json<{ state: string; remoteKeyId: string; proof: string }>(['import', bundle]);
  expect(imported).toMatchObject({ state: 'Enabled', remoteKeyId: created.remoteKeyId });
  const sync = await json<{ imported: string[]; drifted: unknown[]; failedJobs: unknown[]; pendingJobs: number }>(['sync']);
  expect(sync).toMatchObject({ imported: [], drifted: [], failedJobs: [], pendingJobs: 0 });

  // A wrong credential is refused by the KMS with the product's code and exit code 6.
  await json(['provider', 'add', '--name', 'wrong', '--type', 'aws', '--region', 'eu-west-1', '--endpoint', url], `${SIM_CREDENTIALS.aws.accessKeyId}\nnot-the-secret\n`);
  const refused = await byok(['--json', 'remote', 'create-key', '--provider', 'wrong', '--key', key.id]);
  expect(refused.code).toBe(6);
  expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'PROVIDER_AUTH_FAILED' } });

  // No file of the vault folder holds the secret (database, journal, audit log, bundles' folder aside).
  for (const name of await readdir(join(dir, 'vault'), { recursive: true })) {
    const path = join(dir, 'vault', name);
    const bytes = await readFile(path).catch(() => null);
    if (bytes) expect(bytes.includes(Buffer.from(secret)), path).toBe(false);
  }
});
