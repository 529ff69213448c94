import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTranscript, renderHtml, renderMarkdown, writeTranscript, type CeremonyState } from '../../../../main/core/ceremony-run/index.ts';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'byok-transcript-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function state(overrides: Partial<CeremonyState> = {}): CeremonyState {
  return {
    version: 1,
    ceremonyId: '11111111-2222-3333-4444-555555555555',
    rehearsal: false,
    unattended: false,
    planPath: '/plans/plan.yaml',
    planSha256: 'ab'.repeat(32),
    planWords: 'pheasant paperweight '.repeat(16).trim(),
    ceremony: 'Payments <keys> & more',
    operator: 'Alice',
    witnesses: ['Bob', 'Carol'],
    output: 'out',
    sharesOut: 'out/shares',
    escrowPath: 'escrow/keys.escrow',
    vaultId: 'vault-1',
    startedAt: '2026-12-01T09:00:00Z',
    finishedAt: '2026-12-01T09:30:00Z',
    sessions: [{ kind: 'run', at: '2026-12-01T09:00:00Z', offline: { offline: true, interfaces: [], defaultRoute: false, checkedAt: '2026-12-01T09:00:00Z' }, allowedOnline: false, planCheck: { at: '2026-12-01T09:00:01Z', ok: true, sha256: 'ab'.repeat(32) } }],
    entropy: [{ alias: 'dek', spec: 'AES_256', keys: 1, healthPassed: true, sources: [{ kind: 'os', label: 'getrandom', bytes: 32 }] }],
    completed: [],
    inProgress: null,
    keys: [
      {
        label: 'dek', entryIndex: 0, slot: 0, keyId: 'key-1', alias: 'dek', spec: 'AES_256', check: { kind: 'kcv', value: 'A1B2C3' }, createdAt: '2026-12-01T09:01:00Z',
        paramsFile: 'params/aws.json', provider: 'aws', remoteKeyId: 'arn:aws:kms:us-east-1:000000000000:key/x',
        confirmation: { status: 'confirmed', witness: 'Bob', typed: 'A1B2C3', at: '2026-12-01T09:02:00Z' },
        backup: { verified: true, at: '2026-12-01T09:03:00Z' },
        shares: { threshold: 2, shares: 3, subsetsVerified: 3, files: [1, 2, 3].map((index) => ({ index, name: `dek/share-${index}.json`, shareCheck: `S${index}`, custodian: `C${index}`, sha256: 'cd'.repeat(32) })) },
        wrap: { provider: 'aws', algorithm: 'RSAES_OAEP_SHA_256', materialExpiry: 'never', files: [{ name: 'dek/EncryptedKeyMaterial.bin', sha256: 'ef'.repeat(32) }], warnings: [] },
      },
    ],
    orphanedKeys: [],
    escrow: { path: 'escrow/keys.escrow', keys: 1, sha256: '12'.repeat(32) },
    audit: { head: '34'.repeat(32), events: 42, valid: true },
    ...overrides,
  };
}

describe('ceremony transcript', () => {
  it('has every section the evidence needs, with check values and hashes but no material', () => {
    const markdown = renderMarkdown(buildTranscript(state()));
    for (const heading of ['## Ceremony', '## Plan', '## Offline check', '## Entropy', '## Keys', '## Backups', '## Output files', '## Audit chain', '## Signatures']) expect(markdown).toContain(heading);
    expect(markdown).toContain('KCV A1B2C3');
    expect(markdown).toContain('typed back by Bob');
    expect(markdown).toContain('abab abab');
    expect(markdown).toContain('pheasant paperweight');
    expect(markdown).toContain('ef'.repeat(32));
    expect(markdown).toContain('34'.repeat(32));
    expect(markdown).toContain('| dek | 1 (2 of 3) | C1 | S1 |');
    expect(markdown.match(/Signature: _+/g)).toHaveLength(3);
  });

  it('says when a run was unattended or online', () => {
    const online = state({ unattended: true });
    online.sessions[0]!.offline = { offline: false, interfaces: [{ name: 'eth0', addresses: ['192.0.2.1'] }], defaultRoute: true, checkedAt: '2026-12-01T09:00:00Z' };
    online.sessions[0]!.allowedOnline = true;
    const markdown = renderMarkdown(buildTranscript(online));
    expect(markdown).toContain('NONE — unattended run');
    expect(markdown).toContain('ONLINE — allowed by --allow-online');
    expect(markdown).toContain('eth0 (192.0.2.1)');
  });

  it('labels a rehearsal clearly', () => {
    const markdown = renderMarkdown(buildTranscript(state({ rehearsal: true })));
    expect(markdown).toMatch(/^# REHEARSAL transcript/);
    expect(markdown).toContain('REHEARSAL — not a real ceremony');
    expect(markdown).toContain('| Mode | REHEARSAL |');
  });

  it('prints as HTML for A4 and Letter with a QR code of the chain head and plan hash, escaping text', async () => {
    const html = await renderHtml(buildTranscript(state()));
    expect(html).toContain('@page { margin: 14mm 12mm; }');
    expect(html).not.toMatch(/@page[^}]*size:\s*(A4|letter)/i);
    expect(html).toContain('break-inside: avoid');
    expect(html).toMatch(/<svg[^>]*viewBox/);
    expect(html).toContain(`plan-sha256=${'ab'.repeat(32)};audit-head=${'34'.repeat(32)}`);
    expect(html).toContain('Payments &lt;keys&gt; &amp; more');
    expect(html).not.toContain('Payments <keys>');
  });

  it('never overwrites an existing file', async () => {
    const path = join(folder, 'transcript.md');
    await writeFile(path, 'keep me');
    await expect(writeTranscript(state(), path, 'md')).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await readFile(path, 'utf8')).toBe('keep me');
    const written = await writeTranscript(state(), join(folder, 'new.html'), 'html');
    expect(written.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
