import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, HASH_SUFFIX_LENGTH, encodeEvent, sealEvent } from '../../../../main/core/audit/audit-event.ts';
import { canonicalJson } from '../../../../main/core/audit/canonical-json.ts';

const body = (data: Record<string, unknown>) => ({ seq: 1, time: '2026-03-01T09:00:00Z', type: 'ceremony.step' as const, operator: 'Zoë', witnesses: ['李雷'], data, prev: GENESIS_HASH });

describe('audit event encoding', () => {
  it('writes pure ASCII lines whose hash is SHA-256 of the line minus its hash suffix', () => {
    const event = sealEvent(body({ step: 'präsentation', nested: { b: 2, a: [1, 'x'] } }));
    const line = encodeEvent(event);
    expect(/^[\x20-\x7e]*$/.test(line)).toBe(true);
    const hashedBody = `${line.slice(0, line.length - HASH_SUFFIX_LENGTH)}}`;
    expect(createHash('sha256').update(hashedBody, 'latin1').digest('hex')).toBe(event.hash);
    expect(JSON.parse(line)).toEqual(event);
  });

  it('sorts object members so the same data always hashes the same', () => {
    expect(canonicalJson({ b: 1, a: { d: true, c: null } })).toBe('{"a":{"c":null,"d":true},"b":1}');
    expect(sealEvent(body({ x: 1, y: 2 })).hash).toBe(sealEvent(body({ y: 2, x: 1 })).hash);
  });

  it('refuses bytes and secret-named fields: events never carry material', () => {
    expect(() => sealEvent(body({ keyId: 'k1', kcv: new Uint8Array([1, 2, 3]) }))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => sealEvent(body({ keys: [{ keyId: 'k1', privateKey: 'MIIE...' }] }))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => sealEvent(body({ materialExpiry: '2026-06-01T00:00:00Z' }))).not.toThrow();
  });

  it('refuses unknown event types and non-finite numbers', () => {
    expect(() => sealEvent({ ...body({}), type: 'key.leaked' as never })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => sealEvent(body({ ratio: Number.NaN }))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
