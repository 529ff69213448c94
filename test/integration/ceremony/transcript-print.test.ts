// The HTML transcript printed by a real browser (Debian's Chromium): on A4 and on Letter nothing runs
// off the printable width, the PDF has the paper's size, and the QR code is there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { buildTranscript, renderHtml, type CeremonyState, type KeyRecord } from '../../../main/core/ceremony-run/index.ts';

const CHROMIUM_PATH = '/usr/bin/chromium';
const MM_TO_CSS_PX = 96 / 25.4;
const PAGE_MARGIN_MM = 12; // left and right, from the transcript's @page rule

function key(index: number, spec: 'AES_256' | 'EC_P256'): KeyRecord {
  const label = `payments-data-encryption-key-${index}`;
  return {
    label, entryIndex: 0, slot: index, keyId: `3f2c9a1e-0b7d-4e51-9c3a-${String(index).padStart(12, '0')}`, alias: label, spec,
    check: spec === 'AES_256' ? { kind: 'kcv', value: 'A1B2C3' } : { kind: 'fingerprint', value: 'f0e1'.repeat(16) },
    createdAt: '2026-12-01T09:01:00Z', paramsFile: `params/aws-${index}.json`, provider: 'aws', remoteKeyId: `arn:aws:kms:eu-central-1:111122223333:key/${'1234abcd-12ab-34cd-56ef-1234567890ab'}`,
    confirmation: { status: 'confirmed', witness: 'Bob Witness', typed: 'A1B2C3', at: '2026-12-01T09:02:00Z' },
    backup: { verified: true, at: '2026-12-01T09:03:00Z' },
    shares: { threshold: 3, shares: 5, subsetsVerified: 10, files: [1, 2, 3, 4, 5].map((share) => ({ index: share, name: `${label}/share-3f2c9a1e-0b7d-4e51-9c3a-00000000000${index}-${share}-of-5.json`, shareCheck: 'DEADBEEF', custodian: `Custodian number ${share}`, sha256: 'cd'.repeat(32) })) },
    wrap: { provider: 'aws', algorithm: 'RSA_AES_KEY_WRAP_SHA_256', materialExpiry: '2027-06-30T00:00:00Z', files: ['EncryptedKeyMaterial.bin', 'ImportToken.bin', 'bundle.json'].map((name) => ({ name: `${label}/${name}`, sha256: 'ef'.repeat(32) })), warnings: [] },
  };
}

const state: CeremonyState = {
  version: 1, ceremonyId: '11111111-2222-3333-4444-555555555555', rehearsal: false, unattended: false,
  planPath: '/home/operator/ceremonies/2026-12/payments-platform-master-keys.yaml', planSha256: 'ab'.repeat(32), planWords: 'pheasant paperweight '.repeat(16).trim(),
  ceremony: 'Payments platform master keys, December 2026', operator: 'Alice Operator', witnesses: ['Bob Witness', 'Carol Witness', 'Dan Witness'],
  output: 'out/payments-2026-12', sharesOut: 'out/payments-2026-12/shares', escrowPath: 'escrow/payments-2026-12.escrow', vaultId: '0a08d3c7-595a-409e-b112-7eb26dd01334',
  startedAt: '2026-12-01T09:00:00Z', finishedAt: '2026-12-01T10:30:00Z',
  sessions: [{ kind: 'run', at: '2026-12-01T09:00:00Z', offline: { offline: true, interfaces: [], defaultRoute: false, checkedAt: '2026-12-01T09:00:00Z' }, allowedOnline: false, planCheck: { at: '2026-12-01T09:00:01Z', ok: true, sha256: 'ab'.repeat(32) } }],
  entropy: [{ alias: 'payments-data-encryption-key', spec: 'AES_256', keys: 6, healthPassed: true, sources: [{ kind: 'os-csprng', label: 'node:crypto randomBytes (OS-seeded CSPRNG)', bytes: 1024 }] }],
  completed: [], inProgress: null,
  keys: [1, 2, 3, 4, 5].map((index) => key(index, 'AES_256')).concat([key(6, 'EC_P256')]),
  orphanedKeys: [], escrow: { path: 'escrow/payments-2026-12.escrow', keys: 6, sha256: '12'.repeat(32) }, audit: { head: '34'.repeat(32), events: 142, valid: true },
};

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'], headless: true });
});
afterAll(async () => {
  await browser?.close();
});

describe('printed HTML transcript', () => {
  it.each([
    ['A4', 210, [595, 842]],
    ['Letter', 215.9, [612, 792]],
  ] as const)('fits the printable width of %s and prints on that paper', async (format, paperWidthMm, [width, height]) => {
    const page = await browser.newPage({ viewport: { width: Math.floor((paperWidthMm - 2 * PAGE_MARGIN_MM) * MM_TO_CSS_PX), height: 1000 } });
    try {
      await page.setContent(await renderHtml(buildTranscript(state)));
      await page.emulateMedia({ media: 'print' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await page.locator('.qr svg').count()).toBe(1);
      const pdf = (await page.pdf({ format, printBackground: true })).toString('latin1');
      const pages = pdf.match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(pages).toBeLessThanOrEqual(8);
      const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf);
      // Points; Chromium rounds A4's 595.28 x 841.89 up.
      expect(Math.abs(Number(box?.[1]) - width)).toBeLessThanOrEqual(1.5);
      expect(Math.abs(Number(box?.[2]) - height)).toBeLessThanOrEqual(1.5);
    } finally {
      await page.close();
    }
  });
});
