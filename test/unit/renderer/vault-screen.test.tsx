// @vitest-environment jsdom
// The vault screen: the key table (virtualised), search and filter, and the detail panel with history.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { App } from '../../../renderer/app.tsx';
import { initI18n } from '../../../renderer/i18n/index.ts';
import { createFakeService, fakeKey } from '../../support-ui/fake-service.ts';
import { installByok } from '../../support-ui/in-process-byok.ts';

beforeAll(async () => {
  await initI18n('en-US');
  // jsdom has no layout: give the scroll container a viewport so the virtualiser has rows to show.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});
afterEach(cleanup);

describe('VaultScreen', () => {
  it('lists keys with alias, spec, check value, backup state, remote key and expiry countdown', async () => {
    const expiry = new Date(Date.now() + 3 * 86_400_000 + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    installByok(
      createFakeService([
        fakeKey(1, {
          alias: 'alias/payments',
          spec: 'AES_256',
          check: { kind: 'kcv', value: 'A1B2C3' },
          remote: [{ provider: 'hw-prod', providerType: 'huawei', region: 'cn-north-4', remoteKeyId: 'kms-123', state: 'Enabled', materialExpiry: expiry, lastSyncedAt: null }],
        }),
      ]),
    );
    render(<App />);
    const row = (await screen.findByText('alias/payments')).closest('[role="row"]') as HTMLElement;
    expect(within(row).getByText('AES_256')).toBeTruthy();
    expect(within(row).getByText('A1B2C3')).toBeTruthy();
    expect(within(row).getByText('Verified')).toBeTruthy();
    expect(within(row).getByText('hw-prod · kms-123')).toBeTruthy();
    expect(within(row).getByText('Enabled')).toBeTruthy();
    expect(within(row).getByText(/^3d [01]h$/)).toBeTruthy();
  });

  it('filters by search text and spec', async () => {
    installByok(createFakeService([fakeKey(1, { alias: 'alias/alpha', spec: 'AES_256' }), fakeKey(2, { alias: 'alias/beta', spec: 'RSA_2048' })]));
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText('alias/alpha');
    await user.type(screen.getByLabelText(/Search alias/), 'beta');
    expect(screen.queryByText('alias/alpha')).toBeNull();
    expect(screen.getByText('alias/beta')).toBeTruthy();
    await user.clear(screen.getByLabelText(/Search alias/));
    await user.selectOptions(screen.getByLabelText('Key spec'), 'AES_256');
    expect(screen.getByText('alias/alpha')).toBeTruthy();
    expect(screen.queryByText('alias/beta')).toBeNull();
  });

  it('renders only the visible rows of a 10,000-key vault while announcing the full count', async () => {
    installByok(createFakeService(Array.from({ length: 10_000 }, (_, i) => fakeKey(i))));
    render(<App />);
    await screen.findByText('alias/test-0');
    const table = screen.getByRole('table', { name: 'Keys in this vault' });
    expect(table.getAttribute('aria-rowcount')).toBe('10001');
    const rendered = within(table).getAllByRole('row').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);
    expect(screen.getByTestId('key-count').textContent).toBe('10000 of 10000 keys');
  });

  it('opens the detail panel with the key history from the keyboard', async () => {
    const service = createFakeService([fakeKey(1, { alias: 'alias/detail' })]);
    service.events.push({ seq: 1, time: '2026-11-25T10:00:00Z', type: 'key.generated', operator: 'Ada', witnesses: ['Bo'], summary: 'generated key-1' });
    installByok(service);
    const user = userEvent.setup();
    render(<App />);
    const row = (await screen.findByText('alias/detail')).closest('[role="row"]') as HTMLElement;
    row.focus();
    await user.keyboard('{Enter}');
    const panel = await screen.findByRole('complementary');
    expect(within(panel).getByRole('heading', { name: 'alias/detail' })).toBeTruthy();
    await waitFor(() => expect(within(panel).getByText(/generated key-1/)).toBeTruthy());
    expect(service.keyHistory).toHaveBeenCalledWith('key-1');
  });

  it('shows the core’s typed error when the vault cannot be read', async () => {
    const service = createFakeService();
    const { ByokError } = await import('../../../shared/errors.ts');
    service.listKeys.mockRejectedValue(new ByokError('VAULT_CORRUPT', 'The vault file is damaged; run `byok vault rebuild` to recover from the keychain.'));
    installByok(service);
    render(<App />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('VAULT_CORRUPT');
    expect(alert.textContent).toContain('run `byok vault rebuild`');
  });
});

describe('opening the app on the vault', () => {
  it('loads the key table before the header’s vault summary', async () => {
    const service = createFakeService([fakeKey(1, { alias: 'alias/first' })]);
    let releaseKeys!: () => void;
    const gate = new Promise<void>((resolve) => {
      releaseKeys = resolve;
    });
    const listKeys = service.listKeys.getMockImplementation() as (...args: unknown[]) => Promise<unknown>;
    service.listKeys.mockImplementation(async (...args: unknown[]) => {
      await gate;
      return listKeys(...args);
    });
    installByok(service);
    render(<App />);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(service.vaultInfo).not.toHaveBeenCalled();
    releaseKeys();
    await screen.findByText('alias/first');
    await waitFor(() => expect(service.vaultInfo).toHaveBeenCalledTimes(1));
  });
});
