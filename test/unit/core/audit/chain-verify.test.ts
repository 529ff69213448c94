import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, encodeEvent, sealEvent } from '../../../../main/core/audit/audit-event.ts';
import type { AuditEvent } from '../../../../main/core/audit/audit-event.ts';
import { signCheckpoint } from '../../../../main/core/audit/checkpoint.ts';
import { verifyChain } from '../../../../main/core/audit/chain-verify.ts';

/** A genuine chain of `count` events, built the way AuditLog builds it. */
function chain(count: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let seq = 1; seq <= count; seq++) {
    events.push(sealEvent({ seq, time: '2026-03-01T09:00:00Z', type: 'key.generated', operator: 'alice', witnesses: ['bob'], data: { keyId: `k${seq}`, check: { kind: 'kcv', value: 'ABC123' } }, prev: events[seq - 2]?.hash ?? GENESIS_HASH }));
  }
  return events;
}
const file = (lines: string[], tail = '') => Buffer.from(lines.map((line) => `${line}\n`).join('') + tail, 'latin1');
const lines = (events: AuditEvent[]) => events.map(encodeEvent);

describe('audit chain verification', () => {
  it('accepts a genuine chain and reports its head', () => {
    const events = chain(5);
    expect(verifyChain(file(lines(events)))).toEqual({ valid: true, events: 5, head: events[4]!.hash, checkpoints: 0, lastCheckpointSeq: null, acceptedLosses: [] });
  });

  it('accepts an empty log with the genesis head', () => {
    expect(verifyChain(new Uint8Array(0))).toMatchObject({ valid: true, events: 0, head: GENESIS_HASH });
  });

  it('detects an edited event at its seq', () => {
    const text = lines(chain(5));
    text[2] = text[2]!.replace('"k3"', '"k9"');
    expect(verifyChain(file(text)).problem).toMatchObject({ seq: 3, kind: 'edited' });
  });

  it('detects an event edited and re-hashed at the next link', () => {
    const events = chain(5);
    const forged = sealEvent({ ...events[2]!, data: { keyId: 'k9' } });
    const text = lines(events);
    text[2] = encodeEvent(forged);
    expect(verifyChain(file(text)).problem).toMatchObject({ seq: 4, kind: 'broken-link' });
  });

  it('detects a deleted event at the missing seq', () => {
    const text = lines(chain(5));
    text.splice(1, 1);
    expect(verifyChain(file(text)).problem).toMatchObject({ seq: 2, kind: 'deleted' });
  });

  it('detects two events swapped at the first out-of-place seq', () => {
    const text = lines(chain(5));
    [text[2], text[3]] = [text[3]!, text[2]!];
    expect(verifyChain(file(text)).problem).toMatchObject({ seq: 3, kind: 'reordered' });
  });

  it('detects a well-formed forged event inserted into the chain, at the seq it claims', () => {
    const events = chain(5);
    const forged = sealEvent({ seq: 3, time: '2026-03-01T09:00:00Z', type: 'refusal', operator: 'mallory', witnesses: [], data: { reason: 'x' }, prev: events[1]!.hash });
    const text = lines(events);
    text.splice(2, 0, encodeEvent(forged));
    expect(verifyChain(file(text)).problem).toMatchObject({ seq: 3, kind: 'inserted' });
  });

  it('detects a garbled line', () => {
    const text = lines(chain(3));
    text[1] = '{"seq":2,"time":';
    expect(verifyChain(file(text)).problem).toMatchObject({ seq: 2, kind: 'garbled' });
  });

  it('detects a re-formatted line (same content, not canonical) as edited', () => {
    const text = lines(chain(3));
    text[1] = text[1]!.replace('"seq":2,', '"seq": 2,');
    expect(verifyChain(file(text)).problem).toMatchObject({ seq: 2, kind: 'edited' });
  });

  it('reports a torn last line separately: not tampering, and the log stays valid', () => {
    const events = chain(3);
    const result = verifyChain(file(lines(events), encodeEvent(chain(4)[3]!).slice(0, 50)));
    expect(result).toMatchObject({ valid: true, events: 3, head: events[2]!.hash, tornTail: { afterSeq: 3, bytes: 50 } });
    expect(result.tornTail?.note).toContain('not tampering');
  });

  describe('checkpoints', () => {
    const secretKey = ed25519.utils.randomSecretKey();
    const signer = { publicKey: ed25519.getPublicKey(secretKey), sign: (message: Uint8Array) => ed25519.sign(message, secretKey) };
    const withCheckpoint = () => {
      const events = chain(3);
      const data = signCheckpoint(signer, 3, events[2]!.hash);
      events.push(sealEvent({ seq: 4, time: '2026-03-01T09:10:00Z', type: 'checkpoint', operator: null, witnesses: [], data: { ...data }, prev: events[2]!.hash }));
      return events;
    };

    it('verifies a checkpoint signature, also against the trusted ceremony key', () => {
      expect(verifyChain(file(lines(withCheckpoint())), { trustedPublicKey: signer.publicKey })).toMatchObject({ valid: true, checkpoints: 1, lastCheckpointSeq: 4 });
    });

    it('refuses a checkpoint signed by a key other than the trusted one', () => {
      const other = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
      expect(verifyChain(file(lines(withCheckpoint())), { trustedPublicKey: other }).problem).toMatchObject({ seq: 4, kind: 'bad-checkpoint' });
    });

    it('catches a history rewritten with every hash recomputed, at the checkpoint', () => {
      const genuine = withCheckpoint();
      // Rewrite event 2 and re-hash everything after it, including the checkpoint event itself.
      const rewritten: AuditEvent[] = [genuine[0]!];
      for (const event of genuine.slice(1)) {
        const { hash: _hash, ...body } = event;
        const data = event.seq === 2 ? { keyId: 'k-forged' } : event.data;
        rewritten.push(sealEvent({ ...body, data, prev: rewritten[rewritten.length - 1]!.hash }));
      }
      expect(verifyChain(file(lines(rewritten))).problem).toMatchObject({ seq: 4, kind: 'bad-checkpoint' });
    });
  });
});
