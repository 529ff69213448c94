// Loading a ceremony plan into the wizard, in the real UI with the real core (main/ui-bridge, Chromium):
// the plan is checked by the plan module as `byok plan check` does, its hash shown in hex and in PGP
// words, a broken plan's problems listed by line:column, and a good plan fills the wizard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexToPgpWords } from '../../main/core/plan/index.ts';
import { writeParamsFile } from '../fixtures/plans/make-params.ts';
import { openScreen, startHarness, type Harness } from './support/harness.ts';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

const PLAN = `version: 1
ceremony: E2E plan ceremony
operator: Alice Operator
witnesses: [Bob Witness, Carol Witness]
confirmations: witness
keys:
  - alias: payments-dek
    spec: AES_256
    count: 2
    params: [params/aws-1.json, params/aws-2.json]
    algorithm: RSAES_OAEP_SHA_256
backup:
  keychain: true
output: out/e2e
`;

describe('loading a plan file in the browser', () => {
  it('lists a broken plan’s problems by line:column, then fills the wizard from a good plan', async () => {
    const { page, workDir } = harness;
    const validTo = new Date(Date.now() + 20 * 3_600_000);
    await writeParamsFile(join(workDir, 'params/aws-1.json'), { provider: 'aws', validTo, remoteKeyId: 'arn:aws:kms:us-east-1:111122223333:key/e2e-1' });
    await writeParamsFile(join(workDir, 'params/aws-2.json'), { provider: 'aws', validTo, remoteKeyId: 'arn:aws:kms:us-east-1:111122223333:key/e2e-2' });
    const badPath = join(workDir, 'bad-plan.yaml');
    writeFileSync(badPath, PLAN.replace('spec: AES_256', 'spec: AES_999'));
    const planPath = join(workDir, 'plan.yaml');
    writeFileSync(planPath, PLAN);

    await openScreen(page, 'New ceremony');
    await page.getByLabel('Plan file', { exact: true }).fill(badPath);
    await page.getByRole('button', { name: 'Check and load plan' }).click();
    const problems = page.getByRole('list', { name: 'Problems in the plan' });
    await problems.waitFor();
    const specLine = PLAN.split('\n').findIndex((line) => line.includes('spec:')) + 1;
    const specColumn = PLAN.split('\n')[specLine - 1]!.indexOf('AES_256') + 1;
    expect(await problems.textContent()).toMatch(new RegExp(`^${specLine}:${specColumn} keys\\[0\\]\\.spec SCHEMA`));
    expect(await page.getByLabel('Parameters file 1').inputValue()).toBe('');

    await page.getByLabel('Plan file', { exact: true }).fill(planPath);
    await page.getByRole('button', { name: 'Check and load plan' }).click();
    await page.getByText('The plan has no problems').waitFor();
    const sha256 = createHash('sha256').update(readFileSync(planPath)).digest('hex');
    expect((await page.getByTestId('plan-sha256').textContent())?.replace(/ /g, '')).toBe(sha256);
    expect(await page.getByTestId('plan-words').textContent()).toBe(hexToPgpWords(sha256));
    expect(await page.getByLabel('Parameters file 1').inputValue()).toBe(join(workDir, 'params/aws-1.json'));
    expect(await page.getByLabel('Parameters file 2').inputValue()).toBe(join(workDir, 'params/aws-2.json'));
    await harness.screenshot('plan-1-loaded');

    await page.getByRole('button', { name: 'Read parameters' }).click();
    await expect.poll(() => page.getByTestId('params-summary').count()).toBe(2);
    const aliases = page.getByLabel('Alias', { exact: true });
    expect(await aliases.nth(0).inputValue()).toBe('payments-dek-1');
    expect(await aliases.nth(1).inputValue()).toBe('payments-dek-2');
    expect(await page.getByLabel('Key spec').nth(0).inputValue()).toBe('AES_256');
    expect(await page.getByLabel('Wrapping algorithm').nth(1).inputValue()).toBe('RSAES_OAEP_SHA_256');
    expect(await page.getByLabel('Operator', { exact: true }).inputValue()).toBe('Alice Operator');
    expect(await page.getByLabel('Witnesses', { exact: true }).inputValue()).toBe('Bob Witness, Carol Witness');
    await harness.screenshot('plan-2-wizard-prefilled');
  });
});
