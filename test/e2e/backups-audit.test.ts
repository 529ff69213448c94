// Backups verify, the audit log with its chain status and the transcript export, the expiry timeline and
// the Chinese UI — in Chromium with the real core. Keys are made through the core directly (the
// ceremony itself is covered in ceremony.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openScreen, startHarness, type Harness } from './support/harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await harness.service.generateKeys({ spec: 'AES_256', alias: 'alias/backup-a', count: 2, operator: 'Ada', witnesses: ['Bo'] });
  await harness.service.generateKeys({ spec: 'EC_P256', alias: 'alias/backup-ec', operator: 'Ada' });
  await harness.page.reload();
  await harness.page.waitForSelector('[role="tablist"]');
});
afterAll(async () => harness?.close());

describe('backups and audit in the browser', () => {
  it('verifies every backup in the real keychain and shows the result', async () => {
    const { page } = harness;
    await openScreen(page, 'Backups');
    await page.getByRole('button', { name: 'Verify all' }).click();
    await expect.poll(() => page.getByTestId('verify-result').textContent()).toContain('3 verified, 0 failed');
    // The key a connected machine's operator reads across for `byok import --trust-signer`.
    const ceremonyKey = (await harness.service.vaultInfo()).ceremonyPublicKey;
    expect(ceremonyKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    await expect.poll(() => page.getByTestId('ceremony-key').textContent()).toBe(ceremonyKey);
    await harness.screenshot('backups');
  });

  it('shows the audit chain as verified and exports the transcript to disk', async () => {
    const { page } = harness;
    await openScreen(page, 'Audit');
    await expect.poll(() => page.getByTestId('chain-status').textContent()).toMatch(/Chain verified: \d+ events/);
    await expect.poll(() => page.getByTestId('audit-log').locator('tbody tr').count()).toBeGreaterThan(1);
    const out = join(harness.workDir, 'transcript.html');
    await page.getByLabel('Output file').fill(out);
    await page.getByRole('button', { name: 'Export' }).click();
    await expect.poll(() => page.getByTestId('export-result').textContent()).toContain(out);
    expect(existsSync(out)).toBe(true);
    const shown = await page.getByTestId('export-result').locator('code').textContent();
    expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(shown);
    expect(readFileSync(out, 'utf8')).toContain('alias/backup-a');
    await harness.screenshot('audit');
  });

  it('refuses to overwrite an existing transcript with the core’s typed error', async () => {
    const { page } = harness;
    await page.getByRole('button', { name: 'Export' }).click();
    await expect.poll(() => page.getByRole('alert').first().getAttribute('data-code')).toBe('OUTPUT_EXISTS');
  });

  it('renders the expiry timeline and the sync screen', async () => {
    const { page } = harness;
    await openScreen(page, 'Expiry timeline');
    await page.getByText('No imported key has a material expiry.').waitFor();
    await harness.screenshot('expiry');
    await openScreen(page, 'Sync');
    await page.getByRole('heading', { name: 'Add a provider' }).waitFor();
    await harness.screenshot('sync-empty');
  });

  it('is usable from the keyboard: tabs with arrows, rows with arrows and Enter', async () => {
    const { page } = harness;
    await page.getByRole('tab', { name: 'Sync' }).focus();
    await page.keyboard.press('Home');
    await page.getByRole('heading', { level: 1, name: 'Vault' }).waitFor();
    const rows = page.locator('[role="rowgroup"] [role="row"][tabindex="0"]');
    await expect.poll(() => rows.count()).toBe(3);
    await rows.first().focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-rowindex'))).toBe('3');
    const secondAlias = await page.evaluate(() => document.activeElement?.querySelector('.alias')?.textContent);
    await page.keyboard.press('Enter');
    await page.getByRole('complementary').getByRole('heading', { name: secondAlias! }).waitFor();
    await harness.screenshot('vault-detail-keyboard');
  });

  it('switches the whole UI to Simplified Chinese', async () => {
    const { page } = harness;
    await page.getByLabel('Language').selectOption('zh-CN');
    await openScreen(page, '密钥库');
    await expect.poll(() => page.getByTestId('key-count').textContent()).toBe('3 / 3 个密钥');
    await harness.screenshot('vault-zh-CN');
    await page.getByLabel('语言').selectOption('en');
  });
});
