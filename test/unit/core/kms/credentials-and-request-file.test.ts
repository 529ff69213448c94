import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryKeychain } from '../../../../main/core/backup/index.ts';
import { credentialsAccount, deleteCredentials, hasCredentials, loadCredentials, storeCredentials } from '../../../../main/core/kms/credentials.ts';
import { parseRequestFile, requestEntryFor, writeRequestFile, type RequestEntry } from '../../../../main/core/kms/request-file.ts';

describe('provider credentials in the keychain', () => {
  it('round-trips the parts under provider-credentials:<name> and deletes them', async () => {
    const keychain = memoryKeychain();
    await storeCredentials(keychain, 'prod', { accessKeyId: 'AKIAEXAMPLE', secret: 'wJalr/XUtnFEMI+K7MDENG=', sessionToken: 'FQoGZXIvYXdzE-token_1' });
    expect(await keychain.list()).toEqual([credentialsAccount('prod')]);
    expect(credentialsAccount('prod')).toBe('provider-credentials:prod');
    expect(await loadCredentials(keychain, 'prod')).toEqual({ accessKeyId: 'AKIAEXAMPLE', secret: 'wJalr/XUtnFEMI+K7MDENG=', sessionToken: 'FQoGZXIvYXdzE-token_1' });
    expect(await hasCredentials(keychain, 'prod')).toBe(true);
    expect(await deleteCredentials(keychain, 'prod')).toBe(true);
    expect(await loadCredentials(keychain, 'prod')).toBeNull();
  });

  it('refuses a secret it could not store as plain JSON, without echoing it', async () => {
    const keychain = memoryKeychain();
    const error = (await storeCredentials(keychain, 'prod', { accessKeyId: 'AKIA', secret: 'Zx9"wq\\Tr' }).then(() => null, (caught: unknown) => caught)) as Error | null;
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(error?.message).not.toContain('Zx9');
    expect(await keychain.list()).toEqual([]);
  });
});

describe('request files', () => {
  const entry = (keyId: string): RequestEntry => ({ keyId, provider: 'aws', providerName: 'prod', remoteKeyId: `arn:aws:kms:eu-west-1:1:key/${keyId}`, responseText: '{"KeyId":"x"}' });

  it('writes entries that parse back, and never overwrites', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'byok-request-'));
    try {
      const path = join(dir, 'request.json');
      const written = await writeRequestFile(path, [entry('a'), entry('b')], { purpose: 'renewal' });
      expect(written.sha256).toMatch(/^[0-9a-f]{64}$/);
      const parsed = parseRequestFile(await readFile(path, 'utf8'))!;
      expect(parsed.entries).toEqual([entry('a'), entry('b')]);
      expect(parsed.purpose).toBe('renewal');
      expect(requestEntryFor(parsed, 'b')).toEqual(entry('b'));
      expect(() => requestEntryFor(parsed, 'c')).toThrow(expect.objectContaining({ code: 'KEY_NOT_FOUND' }));
      await expect(writeRequestFile(path, [entry('a')])).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says null for a provider file and refuses a damaged request file', () => {
    expect(parseRequestFile('{"KeyId":"arn:aws:kms:eu-west-1:1:key/x","ImportToken":"AA=="}')).toBeNull();
    expect(parseRequestFile('not json')).toBeNull();
    expect(() => parseRequestFile('{"format":"byok-import-request","version":1,"entries":[]}')).toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED' }));
    expect(() => parseRequestFile(JSON.stringify({ format: 'byok-import-request', version: 1, entries: [entry('a'), entry('a')] }))).toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED' }));
    expect(() => parseRequestFile(JSON.stringify({ format: 'byok-import-request', version: 2, entries: [entry('a')] }))).toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED' }));
  });
});
