// A full ceremony in the real UI with the real core: params files (AWS and Tencent shapes) -> keys ->
// offline check -> generate -> the witness types each KCV back -> backups verified -> wrap -> the
// bundle on disk, checked independently (files, SHA-256, unwrapping with the test's private key).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, constants, privateDecrypt } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOutcome, openScreen, startHarness, type Harness } from './support/harness.ts';
import { awsParams, tencentParams, wrappingKeyPair, type WrappingKeyPair } from './support/params-files.ts';

let harness: Harness;
let pair: WrappingKeyPair;

beforeAll(async () => {
  harness = await startHarness();
  pair = wrappingKeyPair();
});
afterAll(async () => harness?.close());

describe('a ceremony in the browser', () => {
  it('turns two parameters files into two wrapped keys on disk after the witness confirms the KCVs', async () => {
    const { page } = harness;
    const validTo = new Date(Date.now() + 20 * 3_600_000);
    const awsPath = join(harness.workDir, 'aws-params.json');
    const tencentPath = join(harness.workDir, 'tencent-params.json');
    writeFileSync(awsPath, awsParams(pair, validTo));
    writeFileSync(tencentPath, tencentParams(pair, validTo));
    const outDir = join(harness.workDir, 'out');

    await harness.screenshot('vault-empty');
    await openScreen(page, 'New ceremony');
    await page.getByLabel('Parameters file 1').fill(awsPath);
    await page.getByRole('button', { name: 'Add another file' }).click();
    await page.getByLabel('Parameters file 2').fill(tencentPath);
    await harness.screenshot('ceremony-1-params');
    await page.getByRole('button', { name: 'Read parameters' }).click();

    const summaries = page.getByTestId('params-summary');
    await expect.poll(() => summaries.count()).toBe(2);
    expect(await summaries.nth(0).textContent()).toContain('aws');
    expect(await summaries.nth(1).textContent()).toContain('tencent');
    const aliases = page.getByLabel('Alias');
    await page.getByLabel('Key spec').nth(0).selectOption('AES_256');
    await page.getByLabel('Key spec').nth(1).selectOption('AES_256');
    await page.getByLabel('Wrapping algorithm').nth(0).selectOption('RSAES_OAEP_SHA_256');
    await aliases.nth(0).fill('alias/e2e-aws');
    await aliases.nth(1).fill('alias/e2e-tencent');
    await page.getByLabel('Operator').fill('Ada Operator');
    await page.getByLabel('Witnesses').fill('Bo Witness');
    await harness.screenshot('ceremony-2-keys');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('button', { name: 'Check that this machine is offline' }).click();
    await page.getByTestId('offline-result').waitFor();
    const acknowledge = page.getByLabel('I acknowledge the machine is connected and continue anyway.');
    if (await acknowledge.count()) await acknowledge.check(); // CI machines are online; the UI must say so
    await harness.screenshot('ceremony-3-offline');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('button', { name: 'Generate 2 key(s)' }).click();
    await expect.poll(() => page.getByTestId('entropy-health').textContent()).toContain('passed');
    await expect.poll(() => page.locator('.generated > li').count()).toBe(2);
    await harness.screenshot('ceremony-4-generated');
    await page.getByRole('button', { name: 'Next' }).click();

    // The witness reads each KCV from the screen; a wrong one blocks.
    const keys = (await harness.service.listKeys()).keys;
    const kcvOf = (alias: string) => keys.find((key) => key.alias === alias)!.check.value;
    const confirm = page.getByRole('button', { name: 'Confirm check values' });
    await page.getByLabel('Witness: type the KCV of alias/e2e-aws').fill(kcvOf('alias/e2e-aws') === '000000' ? '111111' : '000000');
    await page.getByLabel('Witness: type the KCV of alias/e2e-tencent').fill(kcvOf('alias/e2e-tencent'));
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('does not match');
    expect(await confirm.isDisabled()).toBe(true);
    await harness.screenshot('ceremony-5-kcv-mismatch');
    await page.getByLabel('Witness: type the KCV of alias/e2e-aws').fill(kcvOf('alias/e2e-aws'));
    expect(await confirm.isEnabled()).toBe(true);
    await confirm.click();

    await page.getByRole('button', { name: 'Verify backups in the keychain' }).click();
    await expect.poll(() => page.getByTestId('backup-state').allTextContents()).toEqual(['alias/e2e-aws: Verified', 'alias/e2e-tencent: Verified']);
    await harness.screenshot('ceremony-6-backups');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByLabel('Output folder').fill(outDir);
    await harness.screenshot('ceremony-7-wrap');
    await page.getByRole('button', { name: 'Wrap and write bundles' }).click();
    const summary = page.getByTestId('summary-files');
    await expectOutcome(page, summary);
    await harness.screenshot('ceremony-8-summary');

    // The summary lists real files whose SHA-256 matches the bytes on disk.
    const rows = await summary.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('code')).map((code) => code.textContent ?? '')));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const [path, sha256] of rows) {
      expect(existsSync(path!)).toBe(true);
      expect(createHash('sha256').update(readFileSync(path!)).digest('hex')).toBe(sha256);
    }
    for (const alias of ['alias_e2e-aws', 'alias_e2e-tencent']) {
      const files = readdirSync(join(outDir, alias));
      expect(files).toContain('bundle.json');
    }

    // Independent check: the AWS bundle's wrapped material unwraps with the test's private key to a
    // 32-byte key (RSAES_OAEP_SHA_256 is the default for AES_256 at AWS).
    const bundle = JSON.parse(readFileSync(join(outDir, 'alias_e2e-aws', 'bundle.json'), 'utf8')) as Record<string, unknown>;
    expect(bundle.keyId).toBe(keys.find((key) => key.alias === 'alias/e2e-aws')!.id);
    const binaries = readdirSync(join(outDir, 'alias_e2e-aws')).filter((name) => name.endsWith('.bin'));
    const unwrapped = binaries
      .map((name) => {
        try {
          return privateDecrypt({ key: pair.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, readFileSync(join(outDir, 'alias_e2e-aws', name)));
        } catch {
          return undefined;
        }
      })
      .filter((value) => value !== undefined);
    expect(unwrapped).toHaveLength(1);
    const material = unwrapped[0]!;
    expect(material.length).toBe(32);
    // ... and that key's KCV, computed by the openssl CLI (AES-CMAC of a zero block), is the one the
    // witness confirmed on screen.
    const cmac = execFileSync('openssl', ['mac', '-cipher', 'AES-256-CBC', '-macopt', `hexkey:${material.toString('hex')}`, 'CMAC'], { input: Buffer.alloc(16) })
      .toString()
      .trim();
    expect(cmac.slice(0, 6).toUpperCase()).toBe(kcvOf('alias/e2e-aws'));
    material.fill(0);
  });

  it('shows the new keys in the vault table with their KCVs and history', async () => {
    const { page } = harness;
    await openScreen(page, 'Vault');
    await expect.poll(() => page.getByTestId('key-count').textContent()).toBe('2 of 2 keys');
    const keys = (await harness.service.listKeys()).keys;
    for (const key of keys) await page.getByText(key.check.value, { exact: true }).first().waitFor();
    await page.getByText('alias/e2e-aws', { exact: true }).click();
    const panel = page.getByRole('complementary');
    await panel.getByRole('heading', { name: 'alias/e2e-aws' }).waitFor();
    await expect.poll(() => panel.locator('.history li').count()).toBeGreaterThan(0);
    await harness.screenshot('vault-with-keys');
  });
});
