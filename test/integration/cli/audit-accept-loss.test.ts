// A vault whose audit log lost events its database recorded is refused at every open (exit 4); when no
// copy of the log exists, `byok audit accept-loss --event N` (N as the refusal names it) writes the gap
// into the log as an event of its own and the vault opens again. Real command, real files and keychain.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runByok, tempDir, usePrivateKeyring } from '../../support/byok-cli.ts';

usePrivateKeyring();
const work = tempDir('audit-accept-loss');
const vault = join(work.path, 'vault');
afterAll(() => work.remove());

it('refuses a cut log until the loss is accepted with the event the refusal named, then records the gap', async () => {
  for (const alias of ['first', 'second']) {
    const generated = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', alias], { vault });
    expect(generated.code, generated.stderr).toBe(0);
  }
  const log = join(vault, 'audit.jsonl');
  const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
  writeFileSync(log, `${lines.slice(0, 3).join('\n')}\n`);

  const refused = await runByok(['--json', 'keys', 'list'], { vault });
  expect(refused.code).toBe(4);
  expect(refused.json.error.code).toBe('AUDIT_CHAIN_BROKEN');
  const named = Number(/accept-loss --event (\d+)/.exec(refused.json.error.message)?.[1]);
  expect(named).toBeGreaterThan(3);

  // Without a named operator, or with the wrong number, nothing is confirmed and nothing changes.
  const anonymous = await runByok(['--json', 'audit', 'accept-loss', '--event', String(named)], { vault });
  expect(anonymous.code).toBe(2);
  expect(anonymous.json.error.message).toContain('--operator');
  const wrong = await runByok(['--json', 'audit', 'accept-loss', '--event', String(named + 1), '--operator', 'Ada'], { vault });
  expect(wrong.code).toBe(2);
  expect(readFileSync(log, 'utf8').trimEnd().split('\n')).toHaveLength(3);

  const accepted = await runByok(['--json', 'audit', 'accept-loss', '--event', String(named), '--operator', 'Ada'], { vault });
  expect(accepted.code, accepted.stderr).toBe(0);
  expect(accepted.json).toMatchObject({ accepted: true, recordedEvent: named });
  const gap = readFileSync(log, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line)).find((event) => event.type === 'audit.gap');
  expect(gap).toMatchObject({ seq: 4, operator: 'Ada', data: { recordedSeq: named, logEndedAt: 3 } });

  // The chain verifies, and verification never hides the accepted loss.
  const verified = await runByok(['--json', 'audit', 'verify'], { vault });
  expect(verified.code, verified.stderr).toBe(0);
  expect(verified.json).toMatchObject({ valid: true, acceptedLosses: [{ seq: 4, recordedSeq: named }] });
  const human = await runByok(['audit', 'verify'], { vault });
  expect(human.stdout).toContain(`NOTE: event 4 records an accepted loss: events up to ${named}`);
  // And the transcript witnesses sign says it too.
  const transcript = join(work.path, 'transcript.md');
  const exported = await runByok(['--json', 'audit', 'export', '--format', 'md', '--out', transcript], { vault });
  expect(exported.code, exported.stderr).toBe(0);
  expect(readFileSync(transcript, 'utf8')).toMatch(new RegExp(`audit\\.gap.*lost: events up to: ${named}; earlier log ended at: 3`));
  const listed = await runByok(['--json', 'keys', 'list'], { vault });
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.json.keys).toHaveLength(2);
  // Nothing left to accept now.
  const again = await runByok(['--json', 'audit', 'accept-loss', '--event', String(named), '--operator', 'Ada'], { vault });
  expect(again.code).toBe(2);
}, 120_000);
