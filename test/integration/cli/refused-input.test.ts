// Operator input `byok` must refuse rather than quietly reinterpret, through the real command against
// a real vault and keychain: an empty --dice, an entropy file named by the path the user gave, an
// impossible --material-expiry date; and `bundle verify` without a vault, which needs none.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runByok, tempDir, usePrivateKeyring } from '../../support/byok-cli.ts';
import { writeParamsFile } from '../../fixtures/plans/make-params.ts';

usePrivateKeyring();

const work = tempDir('refused-input');
const vault = join(work.path, 'vault');
let keyId = '';
let paramsPath = '';

beforeAll(async () => {
  const generated = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'input-aes'], { vault });
  expect(generated.code, generated.stderr).toBe(0);
  keyId = generated.json.keys[0].id;
  paramsPath = await writeParamsFile(join(work.path, 'huawei.json'), { provider: 'huawei', validTo: new Date(Date.now() + 6 * 3_600_000) });
}, 120_000);

afterAll(() => work.remove());

async function keyCount(): Promise<number> {
  const list = await runByok(['--json', 'keys', 'list'], { vault });
  expect(list.code, list.stderr).toBe(0);
  return list.json.keys.length;
}

describe('keys generate refuses operator entropy it cannot use', () => {
  it('refuses an empty --dice instead of generating from OS entropy alone', async () => {
    const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'no-dice', '--dice', ''], { vault });
    expect(run.code).toBe(3);
    expect(run.json.error).toMatchObject({ code: 'ENTROPY_SOURCE_INVALID', message: expect.stringMatching(/No dice rolls/) });
    expect(await keyCount()).toBe(1);
  });

  it('names /dev/null by the path given when it refuses it as not a regular file', async () => {
    const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'dev-null', '--entropy-file', '/dev/null'], { vault });
    expect(run.code).toBe(3);
    expect(run.json.error).toMatchObject({ code: 'ENTROPY_SOURCE_INVALID', message: expect.stringContaining('The entropy source /dev/null is not a regular file') });
  });

  it('names a missing entropy file by the path given', async () => {
    const missing = join(work.path, 'no-such-folder', 'coins.txt');
    const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'missing', '--entropy-file', missing], { vault });
    expect(run.code).toBe(2);
    expect(run.json.error).toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining(`The entropy file ${missing} does not exist`) });
    expect(await keyCount()).toBe(1);
  });
});

describe('wrap refuses an impossible material expiry', () => {
  it.each(['2027-02-30T00:00:00Z', '2027-02-29T00:00:00Z', '2027-06-01T24:00:00Z', '2027-13-01T00:00:00Z'])('refuses --material-expiry %s and writes nothing', async (expiry) => {
    const out = join(work.path, `out-${expiry.replace(/:/g, '')}`);
    const run = await runByok(['--json', 'wrap', '--key', keyId, '--params', paramsPath, '--material-expiry', expiry, '--out', out], { vault });
    expect(run.code, run.stderr).toBe(3);
    expect(run.json.error).toMatchObject({ code: 'MATERIAL_EXPIRY_INVALID', message: expect.stringContaining(expiry) });
    expect(existsSync(out)).toBe(false);
  });
});

describe('bundle verify without a vault', () => {
  it('prints one JSON document and exits 0 when no vault exists at --vault', async () => {
    const out = join(work.path, 'out-bundle');
    const wrapped = await runByok(['--json', 'wrap', '--key', keyId, '--params', paramsPath, '--material-expiry', '2027-06-01T00:00:00Z', '--out', out], { vault });
    expect(wrapped.code, wrapped.stderr).toBe(0);
    expect(readdirSync(out)).toContain('bundle.json');

    const none = join(work.path, 'no-vault-here');
    const run = await runByok(['--json', 'bundle', 'verify', join(out, 'bundle.json')], { env: { BYOK_VAULT: none } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // runByok parses stdout as JSON only when it is exactly one document.
    expect(run.json).toMatchObject({ alias: 'input-aes', provider: 'huawei', signedByThisVault: false });
    expect(run.stderr).toBe('');
    expect(existsSync(none)).toBe(false);
  });
});
