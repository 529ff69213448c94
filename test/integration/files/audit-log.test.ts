// Real files: the audit log appended, reopened, torn by a "crash", checked by the documented shell script
// (bash + sha256sum, an independent oracle), and exported as a transcript.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../main/core/clock.ts';
import { AuditLog, GENESIS_HASH } from '../../../main/core/audit/index.ts';

const folders: string[] = [];
const newFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'byok-audit-'));
  folders.push(folder);
  return folder;
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function ceremonyLog(dir: string, clock = new FixedClock('2026-03-01T09:00:00Z')): Promise<AuditLog> {
  const log = await AuditLog.open(dir, { clock });
  await log.append({ type: 'vault.created', operator: 'alice', witnesses: ['bob', 'carol'], data: { vaultId: 'v-1' } });
  await log.append({ type: 'entropy.health', operator: 'alice', data: { source: 'os-csprng', result: 'passed' } });
  clock.advance(60_000);
  await log.append({ type: 'key.generated', operator: 'alice', witnesses: ['bob', 'carol'], data: { keyId: 'key-aes', alias: 'payments', spec: 'AES_256', check: { kind: 'kcv', value: '7A3F1C' } } });
  await log.append({ type: 'key.generated', operator: 'alice', witnesses: ['bob'], data: { keys: [{ keyId: 'key-rsa', spec: 'RSA_3072', check: { kind: 'fingerprint', value: 'ab'.repeat(32) } }] } });
  await log.append({ type: 'bundle.written', operator: 'alice', data: { keyId: 'key-aes', provider: 'huawei', files: [{ path: '/out/key-aes/bundle.json', sha256: 'cd'.repeat(32) }, { path: '/out/key-aes/EncryptedKeyMaterial.bin', sha256: 'ef'.repeat(32) }] } });
  await log.append({ type: 'refusal', operator: 'alice', data: { code: 'PARAMS_EXPIRED', reason: 'import parameters expired at 2026-02-28T09:00:00Z' } });
  // The shapes the use cases write: a batch with plain check values, files named by name, an escrow file.
  await log.append({ type: 'key.generated', operator: 'alice', data: { batchId: 'b-7', spec: 'HMAC_256', keys: [{ id: 'key-mac-1', alias: 'mac-1', check: '0FA1B2' }] } });
  await log.append({ type: 'backup.written', operator: 'alice', data: { escrow: 'escrow-2026.byok', sha256: '12'.repeat(32), keyIds: ['key-aes'] } });
  await log.append({ type: 'bundle.written', operator: 'alice', data: { keyId: 'key-mac-1', files: [{ name: 'key-mac-1.bundle.json', sha256: '34'.repeat(32) }] } });
  return log;
}

describe('audit log (real files)', () => {
  it('continues the chain after reopening, reading only the end of the file', async () => {
    const dir = newFolder();
    const log = await ceremonyLog(dir);
    const head = log.head();
    await log.close();
    const reopened = await AuditLog.open(dir, { clock: new FixedClock('2026-03-01T10:00:00Z') });
    expect(reopened.head()).toBe(head);
    expect(reopened.count()).toBe(9);
    const next = await reopened.append({ type: 'ceremony.step', data: { step: 'closing' } });
    expect(next).toMatchObject({ seq: 10, prev: head, operator: null, witnesses: [] });
    expect(await reopened.verify()).toMatchObject({ valid: true, events: 10, head: next.hash });
    await reopened.close();
  });

  it('matches the head that the documented sha256sum script computes (CHAIN-FORMAT.md)', async () => {
    const dir = newFolder();
    const log = await ceremonyLog(dir);
    await log.close();
    const doc = readFileSync(join(import.meta.dirname, '../../../main/core/audit/CHAIN-FORMAT.md'), 'utf8');
    const script = /## Reproducing the head with sha256sum\s+```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(script).toBeTruthy();
    const output = execFileSync('bash', ['-c', script!], { cwd: dir, encoding: 'utf8' });
    expect(output.trim()).toBe(`events: 9  head: ${log.head()}`);
    // ...and the script notices an edit too.
    writeFileSync(join(dir, 'audit.jsonl'), readFileSync(join(dir, 'audit.jsonl'), 'latin1').replace('7A3F1C', '7A3F1D'), 'latin1');
    const failed = (() => {
      try {
        execFileSync('bash', ['-c', script!], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
        return null;
      } catch (error) {
        return error as { status: number; stdout: string };
      }
    })();
    expect(failed).toMatchObject({ status: 1, stdout: expect.stringContaining('event 3: hash mismatch') });
  });

  it('reports the seq of an event edited on disk', async () => {
    const dir = newFolder();
    await (await ceremonyLog(dir)).close();
    const path = join(dir, 'audit.jsonl');
    writeFileSync(path, readFileSync(path, 'latin1').replace('"RSA_3072"', '"RSA_2048"'), 'latin1');
    const log = await AuditLog.open(dir, { clock: new FixedClock('2026-03-01T10:00:00Z') });
    expect(await log.verify()).toMatchObject({ valid: false, problem: { seq: 4, kind: 'edited' } });
    await log.close();
  });

  it('reports a torn tail after a crash, then sets it aside on the next append and stays valid', async () => {
    const dir = newFolder();
    const log = await ceremonyLog(dir);
    const head = log.head();
    await log.close();
    const path = join(dir, 'audit.jsonl');
    appendFileSync(path, '{"seq":10,"time":"2026-03-01T09:01:00Z","type":"key.gen'); // the append a SIGKILL interrupted

    const reopened = await AuditLog.open(dir, { clock: new FixedClock('2026-03-01T10:00:00Z') });
    expect(reopened.head()).toBe(head);
    const torn = await reopened.verify();
    expect(torn).toMatchObject({ valid: true, events: 9, head, tornTail: { afterSeq: 9 } });
    expect(torn.tornTail?.note).toMatch(/not tampering/);

    const next = await reopened.append({ type: 'ceremony.step', data: { step: 'resumed after crash' } });
    expect(next.seq).toBe(10);
    const after = await reopened.verify();
    expect(after).toMatchObject({ valid: true, events: 10 });
    expect(after.tornTail).toBeUndefined();
    expect(readFileSync(`${path}.torn`, 'utf8')).toContain('"type":"key.gen');
    await reopened.close();
  });

  it('refuses to append after a broken last event instead of extending a bad chain', async () => {
    const dir = newFolder();
    await (await ceremonyLog(dir)).close();
    const path = join(dir, 'audit.jsonl');
    writeFileSync(path, readFileSync(path, 'latin1').replace('key-mac-1.bundle.json', 'key-mac-2.bundle.json'), 'latin1');
    const log = await AuditLog.open(dir, { clock: new FixedClock('2026-03-01T10:00:00Z') });
    await expect(log.append({ type: 'ceremony.step', data: {} })).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN' });
    await log.close();
  });

  it('signs checkpoints over the chain head with the ceremony key, verified against the trusted key', async () => {
    const dir = newFolder();
    const log = await ceremonyLog(dir);
    const secretKey = ed25519.utils.randomSecretKey();
    const signer = { publicKey: ed25519.getPublicKey(secretKey), sign: (message: Uint8Array) => ed25519.sign(message, secretKey) };
    const headBefore = log.head();
    const checkpoint = await log.checkpoint(signer);
    expect(checkpoint).toMatchObject({ seq: 10, type: 'checkpoint', prev: headBefore, data: { head: headBefore, headSeq: 9, algorithm: 'Ed25519' } });
    expect(await log.verify({ trustedPublicKey: signer.publicKey })).toMatchObject({ valid: true, checkpoints: 1, lastCheckpointSeq: 10 });
    const stranger = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    expect(await log.verify({ trustedPublicKey: stranger })).toMatchObject({ valid: false, problem: { seq: 10, kind: 'bad-checkpoint' } });
    await log.close();
  });

  it('lists events by key and type, latest N', async () => {
    const dir = newFolder();
    const log = await ceremonyLog(dir);
    expect(log.list({ keyId: 'key-aes' }).map((event) => event.seq)).toEqual([3, 5, 8]);
    expect(log.list({ keyId: 'key-rsa' }).map((event) => event.seq)).toEqual([4]);
    expect(log.list({ type: 'key.generated', limit: 2 }).map((event) => event.seq)).toEqual([4, 7]);
    await log.close();
  });

  it('appends a batch with one write, chained like single appends', async () => {
    const dir = newFolder();
    const log = await AuditLog.open(dir, { clock: new FixedClock('2026-03-01T09:00:00Z') });
    const batch = await log.appendMany(Array.from({ length: 100 }, (_, i) => ({ type: 'key.generated' as const, data: { keyId: `k${i}` } })));
    expect(batch.map((event) => event.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(batch[0]!.prev).toBe(GENESIS_HASH);
    expect(await log.verify()).toMatchObject({ valid: true, events: 100, head: batch[99]!.hash });
    await log.close();
  });

  describe('ceremony transcript', () => {
    it.each(['md', 'html'] as const)('%s lists who and when, every key with its check value, every file with its SHA-256, and the chain head', async (format) => {
      const dir = newFolder();
      const log = await ceremonyLog(dir);
      const transcript = log.exportTranscript(format);
      for (const expected of ['alice', 'bob', 'carol', '2026-03-01T09:00:00Z', 'key-aes', 'payments', 'AES_256', '7A3F1C', 'key-rsa', 'ab'.repeat(32), '/out/key-aes/bundle.json', 'cd'.repeat(32), 'ef'.repeat(32), 'PARAMS_EXPIRED', 'key-mac-1', 'HMAC_256', '0FA1B2', 'escrow-2026.byok', '12'.repeat(32), 'key-mac-1.bundle.json', '34'.repeat(32), log.head()]) {
        expect(transcript).toContain(expected);
      }
      expect(transcript).toMatch(/Signature/);
      await log.close();
    });

    it('prints on paper: the HTML has print CSS and escapes what it shows', async () => {
      const dir = newFolder();
      const log = await AuditLog.open(dir, { clock: new FixedClock('2026-03-01T09:00:00Z') });
      await log.append({ type: 'ceremony.step', operator: '<script>alert(1)</script>', data: { step: 'x' } });
      const html = log.exportTranscript('html');
      expect(html).toContain('@page');
      expect(html).toContain('break-inside: avoid');
      expect(html).not.toContain('<script>');
      expect(html).toContain('&lt;script&gt;');
      await log.close();
    });

    it('never shows material: only named metadata fields reach the page', async () => {
      const dir = newFolder();
      const log = await ceremonyLog(dir);
      // Fields no event should carry; even if one slipped past the name check, the transcript does not print data wholesale.
      const planted = 'f'.repeat(48);
      await log.append({ type: 'ceremony.step', operator: 'alice', data: { step: 'wrap', wrappedBlob: planted, note: { nested: planted } } });
      await log.append({ type: 'key.generated', operator: 'alice', data: { keyId: 'k-odd', spec: 'AES_128', check: { kind: 'kcv', value: `not hex ${planted}` } } });
      for (const format of ['md', 'html'] as const) {
        const transcript = log.exportTranscript(format);
        expect(transcript).not.toContain(planted);
        const known = new Set(['ab'.repeat(32), 'cd'.repeat(32), 'ef'.repeat(32), '12'.repeat(32), '34'.repeat(32), log.head(), ...log.list().map((event) => event.hash)]);
        const longHex = transcript.match(/[0-9a-fA-F]{32,}/g) ?? [];
        expect(longHex.filter((hex) => !known.has(hex))).toEqual([]);
      }
      await log.close();
    });
  });
});
