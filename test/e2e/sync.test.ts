// Connected mode against the loopback KMS simulator (main/kms-sim), in Chromium with the real core:
// add an AWS provider (credentials go to the keychain), create the remote key, fetch import parameters,
// wrap (core), import the bundle from the UI, then sync and see the remote state in the vault table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../main/kms-sim/index.ts';
import { openScreen, startHarness, type Harness } from './support/harness.ts';

const CREDENTIALS = {
  aws: { accessKeyId: 'AKIAE2ESIMULATOR0001', secretAccessKey: 'e2e/aws/secret+key/000000000000000000000' },
  tencent: { secretId: 'AKIDe2esimulator00000000000000000001', secretKey: 'e2eTencentSecretKey0000000000001' },
  huawei: { ak: 'HE2ESIMULATORAK0001', sk: 'e2eHuaweiSecretKey00000000000000000000001', projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' },
};

let harness: Harness;
let sim: RunningSimulator;
let simState: string;

beforeAll(async () => {
  simState = mkdtempSync(join(tmpdir(), 'byok-e2e-sim-'));
  sim = await startSimulator({ port: 0, stateDir: simState, credentials: CREDENTIALS });
  harness = await startHarness();
  await harness.service.generateKeys({ spec: 'AES_256', alias: 'alias/sync-me', operator: 'Ada' });
  await harness.page.reload();
  await harness.page.waitForSelector('[role="tablist"]');
});
afterAll(async () => {
  await harness?.close();
  await sim?.close();
  rmSync(simState, { recursive: true, force: true });
});

describe('sync against the KMS simulator', () => {
  it('adds a provider without the secret ever reaching the page again', async () => {
    const { page } = harness;
    await openScreen(page, 'Sync');
    await page.getByLabel('Name').fill('aws-sim');
    await page.getByLabel('Type').selectOption('aws');
    await page.getByLabel('Region').fill('eu-west-1');
    await page.getByLabel('Endpoint (optional)').fill(sim.url);
    await page.getByLabel('Access key id').fill(CREDENTIALS.aws.accessKeyId);
    await page.getByLabel('Secret access key').fill(CREDENTIALS.aws.secretAccessKey);
    await page.getByRole('button', { name: 'Add provider' }).click();
    await page.getByText('Added aws-sim.').waitFor();
    expect(await page.getByLabel('Secret access key').inputValue()).toBe('');
    expect(await page.content()).not.toContain(CREDENTIALS.aws.secretAccessKey);
    await expect.poll(() => page.getByTestId('providers').textContent()).toContain('aws-sim');

    // A refused add (plain http to a host that is not loopback) does not keep the credentials in the page either.
    await page.getByLabel('Name').fill('aws-refused');
    await page.getByLabel('Type').selectOption('aws');
    await page.getByLabel('Region').fill('eu-west-1');
    await page.getByLabel('Endpoint (optional)').fill('http://kms.example.com');
    await page.getByLabel('Access key id').fill(CREDENTIALS.aws.accessKeyId);
    await page.getByLabel('Secret access key').fill(CREDENTIALS.aws.secretAccessKey);
    await page.getByRole('button', { name: 'Add provider' }).click();
    await page.getByRole('alert').first().waitFor({ timeout: 10_000 });
    expect(await page.getByLabel('Secret access key').inputValue()).toBe('');
    expect(await page.getByLabel('Access key id').inputValue()).toBe('');
    expect(await page.getByLabel('Name').inputValue()).toBe('aws-refused');
    expect(await page.content()).not.toContain(CREDENTIALS.aws.secretAccessKey);
    await page.getByLabel('Name').fill('');
    await page.getByLabel('Endpoint (optional)').fill('');
  });

  it('creates the remote key, imports the wrapped bundle and syncs its state', async () => {
    const { page } = harness;
    const keyId = (await harness.service.listKeys()).keys[0]!.id;
    await page.getByRole('button', { name: 'Create remote key' }).click();
    await page.getByText(/^Created remote key /).waitFor();

    const requestFile = join(harness.workDir, 'params-request.json');
    await page.getByLabel('Request file to write').fill(requestFile);
    await page.getByRole('button', { name: 'Get parameters' }).click();
    await page.getByText(/^Wrote .*params-request\.json/).waitFor();
    expect(existsSync(requestFile)).toBe(true);

    // The air-gapped half (wrap) is the core's; the UI drives it in ceremony.test.ts. The request file
    // goes to wrap as it is, as `byok wrap --params request.json` takes it.
    const outDir = join(harness.workDir, 'bundle-out');
    const materialExpiry = new Date(Date.now() + 20 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const wrapped = await harness.service.wrap({ keyId, paramsPath: requestFile, outDir, materialExpiry });
    const bundlePath = wrapped.files.find((file) => file.name === 'bundle.json')!.path;

    await page.getByLabel('Bundle file (bundle.json)').fill(bundlePath);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.getByTestId('import-result').textContent(), { timeout: 20_000 }).toContain('Enabled');
    await harness.screenshot('sync-imported');

    await page.getByRole('button', { name: 'Sync all providers' }).click();
    await expect.poll(() => page.getByTestId('sync-result').textContent(), { timeout: 20_000 }).toMatch(/Imported \d+/);
    await harness.screenshot('sync');

    await openScreen(page, 'Vault');
    const row = page.getByRole('row').filter({ hasText: 'alias/sync-me' });
    await expect.poll(() => row.textContent()).toContain('aws-sim');
    expect(await row.textContent()).toContain('Enabled');
    await harness.screenshot('vault-synced');

    // The material expires in 20 days: inside the default 30-day renewal window, charted as such.
    await openScreen(page, 'Expiry timeline');
    await page.getByTestId('expiry-chart').locator('svg').first().waitFor();
    expect(await page.locator('tr.in-window').textContent()).toContain('alias/sync-me @ aws-sim');
    await harness.screenshot('expiry-timeline');

    // One-click renew from the Sync screen: re-imports the same material with a new expiry.
    await openScreen(page, 'Sync');
    const renewTo = new Date(Date.now() + 200 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await page.getByLabel('New material expiry').fill(renewTo);
    await page.getByRole('button', { name: 'Renew alias/sync-me' }).click();
    await expect
      .poll(() => page.getByText(/^Renewed; new expiry|^This machine has no backup/).first().textContent(), { timeout: 20_000 })
      .toBe(`Renewed; new expiry ${renewTo.replace('T', ' ').replace('Z', ' UTC')}.`);
    await harness.screenshot('sync-renewed');
  });
});
