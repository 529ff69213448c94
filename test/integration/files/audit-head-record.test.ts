// The vault database records the audit log's head at every save (use-cases/audit-head-record.ts), so a
// log that was deleted, cut short, or replaced by a re-hashed chain is refused — which the hash chain
// alone cannot see. Real files, the real service, a memory keychain.
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealEvent, encodeEvent, type AuditEvent } from '../../../main/core/audit/audit-event.ts';
import { createCeremonyService, openCoreContext } from '../../../main/core/ceremony.ts';
import { memoryKeychain, type Keychain } from '../../../main/core/backup/index.ts';

const root = mkdtempSync(join(tmpdir(), 'byok-audit-head-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A vault with two keys and a bundle-free history, closed; returns its folder, keychain and log lines. */
async function vaultWithHistory(name: string): Promise<{ vaultDir: string; keychain: Keychain; lines: string[] }> {
  const vaultDir = join(root, name);
  const keychain = memoryKeychain();
  const service = await createCeremonyService({ vaultDir, create: true, keychain });
  await service.generateKeys({ spec: 'AES_256', alias: `${name}-a` });
  await service.generateKeys({ spec: 'AES_256', alias: `${name}-b` });
  await service.close();
  return { vaultDir, keychain, lines: readFileSync(join(vaultDir, 'audit.jsonl'), 'utf8').trimEnd().split('\n') };
}

/** The events re-hashed into a valid chain: what someone who edits the log and fixes the hashes writes. */
function rechained(events: AuditEvent[]): string {
  let prev = GENESIS_HASH;
  return events
    .map((event, index) => {
      const { hash: _hash, ...body } = event;
      const sealed = sealEvent({ ...body, seq: index + 1, prev });
      prev = sealed.hash;
      return `${encodeEvent(sealed)}\n`;
    })
    .join('');
}

const open = (vaultDir: string, keychain: Keychain) => createCeremonyService({ vaultDir, keychain });

describe('the audit head recorded in the vault database', () => {
  it('lets an untouched vault open and verify, again and again', async () => {
    const { vaultDir, keychain } = await vaultWithHistory('untouched');
    for (let round = 0; round < 3; round++) {
      const service = await open(vaultDir, keychain);
      await expect(service.auditVerify()).resolves.toMatchObject({ valid: true });
      await service.generateKeys({ spec: 'AES_128', alias: `more-${round}` });
      await service.close();
    }
  });

  it('refuses a deleted or emptied log instead of starting a new one', async () => {
    const { vaultDir, keychain } = await vaultWithHistory('deleted');
    unlinkSync(join(vaultDir, 'audit.jsonl'));
    await expect(open(vaultDir, keychain)).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN', message: expect.stringContaining('Restore audit.jsonl') });
    writeFileSync(join(vaultDir, 'audit.jsonl'), '');
    await expect(open(vaultDir, keychain)).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN' });
    // Nothing was written: no fresh `vault.created` in place of the lost history.
    expect(readFileSync(join(vaultDir, 'audit.jsonl'), 'utf8')).toBe('');
  });

  it('refuses a log cut short, though what is left is a valid chain', async () => {
    const { vaultDir, keychain, lines } = await vaultWithHistory('cut');
    writeFileSync(join(vaultDir, 'audit.jsonl'), `${lines.slice(0, -3).join('\n')}\n`);
    await expect(open(vaultDir, keychain)).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN', message: expect.stringMatching(/ends at event \d+, but the vault database records/) });
  });

  it('refuses a log rewritten without an event and its checkpoints, re-hashed into a valid chain', async () => {
    const { vaultDir, keychain, lines } = await vaultWithHistory('rewritten');
    const events = lines.map((line) => JSON.parse(line) as AuditEvent);
    const secondKey = events.findLastIndex((event) => event.type === 'key.generated');
    const kept = events.filter((event, index) => index !== secondKey && event.type !== 'checkpoint');
    writeFileSync(join(vaultDir, 'audit.jsonl'), rechained(kept));
    await expect(open(vaultDir, keychain)).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN' });
  });

  it('refuses a replaced log of the same length, at open; and a longer one at audit verify', async () => {
    const { vaultDir, keychain, lines } = await vaultWithHistory('replaced');
    const events = lines.map((line) => JSON.parse(line) as AuditEvent);
    const forged = events.map((event) => (event.type === 'key.generated' ? { ...event, operator: 'mallory' } : event)).filter((event) => event.type !== 'checkpoint');
    // Same length as the original: pad with harmless events after dropping the checkpoints.
    while (forged.length < events.length) forged.push({ ...events[0]!, type: 'refusal', data: { operation: 'padding', code: 'INVALID_ARGUMENT' } });
    writeFileSync(join(vaultDir, 'audit.jsonl'), rechained(forged));
    await expect(open(vaultDir, keychain)).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN', message: expect.stringContaining('replaced') });

    // Longer than the original: it opens (the recorded event is not the last), and verification finds it.
    forged.push({ ...events[0]!, type: 'refusal', data: { operation: 'padding', code: 'INVALID_ARGUMENT' } });
    writeFileSync(join(vaultDir, 'audit.jsonl'), rechained(forged));
    const service = await open(vaultDir, keychain);
    const verified = await service.auditVerify();
    expect(verified.valid).toBe(false);
    expect(verified.problem?.reason).toMatch(/not the event the vault database recorded|checkpoint|signed/);
    await service.close();
  });
});

describe('a damaged last line', () => {
  it('still opens, so that audit verify can say which line is wrong', async () => {
    const { vaultDir, keychain, lines } = await vaultWithHistory('damaged-tail');
    writeFileSync(join(vaultDir, 'audit.jsonl'), `${lines.slice(0, -1).join('\n')}\n{"seq": "garbled"}\n`);
    const service = await open(vaultDir, keychain);
    const verified = await service.auditVerify();
    expect(verified).toMatchObject({ valid: false, problem: { seq: lines.length } });
    await service.close();
  });
});

describe('a damaged last line and the record', () => {
  it('keeps the last good record while the tail is damaged, so the repaired log opens again', async () => {
    const { vaultDir, keychain, lines } = await vaultWithHistory('repair');
    const original = readFileSync(join(vaultDir, 'audit.jsonl'));
    writeFileSync(join(vaultDir, 'audit.jsonl'), `${lines.slice(0, -1).join('\n')}\nnot json\n`);
    const damaged = await open(vaultDir, keychain);
    // Refused before anything is written, and the saves of the attempt record nothing new.
    await expect(damaged.generateKeys({ spec: 'AES_256', alias: 'during-damage' })).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN' });
    await damaged.close();
    // Any save while the tail is damaged (the sync engine's claims save before they append, say).
    const context = await openCoreContext({ vaultDir, keychain });
    context.vault.meta.set('test.touched', 'yes');
    await context.vault.save();
    await context.audit.close();
    await context.vault.close();
    writeFileSync(join(vaultDir, 'audit.jsonl'), original);
    const repaired = await open(vaultDir, keychain);
    await expect(repaired.auditVerify()).resolves.toMatchObject({ valid: true });
    await repaired.close();
    // And the protection still holds: a cut log is still refused.
    writeFileSync(join(vaultDir, 'audit.jsonl'), `${lines.slice(0, 2).join('\n')}\n`);
    await expect(open(vaultDir, keychain)).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN' });
  });
});
