// @vitest-environment jsdom
// Backups, Sync, Expiry and Audit screens against the fake core.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { App } from '../../../renderer/app.tsx';
import { initI18n } from '../../../renderer/i18n/index.ts';
import { createFakeService, fakeKey } from '../../support-ui/fake-service.ts';
import { installByok } from '../../support-ui/in-process-byok.ts';

beforeAll(() => initI18n('en'));
afterEach(cleanup);

describe('BackupsScreen', () => {
  it('verifies all backups and reports the counts', async () => {
    installByok(createFakeService([fakeKey(1), fakeKey(2)]));
    const user = userEvent.setup();
    render(<App initialScreen="backups" />);
    await user.click(screen.getByRole('button', { name: 'Verify all' }));
    expect((await screen.findByTestId('verify-result')).textContent).toContain('2 verified, 0 failed');
  });

  it('splits a key and shows every share’s check value and custodian', async () => {
    const service = createFakeService([fakeKey(1, { alias: 'alias/split-me' })]);
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="backups" />);
    await screen.findAllByRole('option', { name: /alias\/split-me/ });
    await user.type(screen.getByLabelText('Custodians'), 'Ann, Ben, Cat');
    const splitCard = screen.getByRole('heading', { name: 'Split into shares' }).closest('section') as HTMLElement;
    await user.type(within(splitCard).getByLabelText('Output folder'), '/shares');
    await user.click(screen.getByRole('button', { name: 'Split' }));
    const table = await screen.findByTestId('share-files');
    expect(within(table).getByText('A1B2C0')).toBeTruthy();
    expect(within(table).getByText('Cat')).toBeTruthy();
    expect(service.sharesSplit).toHaveBeenCalledWith(expect.objectContaining({ keyId: 'key-1', threshold: 2, shares: 3, custodians: ['Ann', 'Ben', 'Cat'] }));
  });
});

describe('SyncScreen', () => {
  it('sends credentials one way to the core and clears them from the form', async () => {
    const service = createFakeService();
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="sync" />);
    await user.type(screen.getByLabelText('Name'), 'tc-prod');
    await user.selectOptions(screen.getByLabelText('Type'), 'tencent');
    await user.type(screen.getByLabelText('Region'), 'ap-guangzhou');
    await user.type(screen.getByLabelText('Access key id'), 'AKIDEXAMPLE');
    await user.type(screen.getByLabelText('Secret access key'), 'not-a-real-secret');
    await user.click(screen.getByRole('button', { name: 'Add provider' }));
    expect(await screen.findByText('Added tc-prod.')).toBeTruthy();
    expect(service.providerAdd).toHaveBeenCalledWith(expect.objectContaining({ name: 'tc-prod', type: 'tencent', secret: 'not-a-real-secret' }));
    expect((screen.getByLabelText('Secret access key') as HTMLInputElement).value).toBe('');
    expect(document.body.innerHTML).not.toContain('not-a-real-secret');
    await waitFor(() => expect(within(screen.getByTestId('providers')).getByText('tc-prod')).toBeTruthy());
  });
});

describe('ExpiryScreen', () => {
  it('charts material expiry per key and provider and lists keys inside the renewal window', async () => {
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const later = new Date(Date.now() + 200 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const binding = (materialExpiry: string) => ({ provider: 'hw', providerType: 'huawei' as const, region: null, remoteKeyId: 'r', state: 'Enabled' as const, materialExpiry, lastSyncedAt: null });
    installByok(createFakeService([fakeKey(1, { alias: 'alias/soon', remote: [binding(soon)] }), fakeKey(2, { alias: 'alias/later', remote: [binding(later)] })]));
    render(<App initialScreen="expiry" />);
    const chart = await screen.findByTestId('expiry-chart');
    expect(chart.querySelector('svg')).toBeTruthy();
    const rows = screen.getAllByRole('row').filter((row) => row.classList.contains('in-window'));
    expect(rows.map((row) => row.textContent)).toEqual([expect.stringContaining('alias/soon @ hw')]);
  });
});

describe('AuditScreen', () => {
  it('shows the chain status and exports the transcript', async () => {
    const service = createFakeService();
    installByok(service);
    const user = userEvent.setup();
    render(<App initialScreen="audit" />);
    expect((await screen.findByTestId('chain-status')).textContent).toMatch(/Chain verified/);
    await user.type(screen.getByLabelText('Output file'), '/out/transcript.html');
    await user.click(screen.getByRole('button', { name: 'Export' }));
    expect((await screen.findByTestId('export-result')).textContent).toContain('/out/transcript.html');
    expect(service.auditExport).toHaveBeenCalledWith({ format: 'html', out: '/out/transcript.html' });
  });
});

describe('BackupsScreen reconciliation', () => {
  it('warns when the vault and the keychain disagree', async () => {
    const service = createFakeService([fakeKey(1)]);
    service.reconcile.mockResolvedValue({ backupsWithoutRecord: ['key-9'], recordsWithoutBackup: ['key-1'], damagedBatches: [{ batchId: 'b1', problems: ['chunk 2 missing'], keyIds: ['key-1'] }] });
    installByok(service);
    render(<App initialScreen="backups" />);
    const warning = await screen.findByTestId('reconciliation');
    expect(warning.textContent).toContain('no backup in the keychain: key-1');
    expect(warning.textContent).toContain('no key record: key-9');
    expect(warning.textContent).toContain('batch b1 is damaged (chunk 2 missing)');
  });
});
