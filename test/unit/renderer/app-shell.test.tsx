// @vitest-environment jsdom
// The frame: tabs reachable by keyboard, English and Simplified Chinese with the same keys, language
// chosen from the locale and switchable.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { App } from '../../../renderer/app.tsx';
import { initI18n, languageFor } from '../../../renderer/i18n/index.ts';
import { en } from '../../../renderer/i18n/en.ts';
import { zhCN } from '../../../renderer/i18n/zh-cn.ts';
import { createFakeService } from '../../support-ui/fake-service.ts';
import { installByok } from '../../support-ui/in-process-byok.ts';

afterEach(cleanup);

function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keyPaths(child, prefix ? `${prefix}.${key}` : key));
}

describe('the app frame', () => {
  it('has the same translation keys in English and Simplified Chinese', () => {
    expect(keyPaths(zhCN).sort()).toEqual(keyPaths(en).sort());
  });

  it('picks Simplified Chinese for zh locales and English otherwise', () => {
    expect(languageFor('zh-CN')).toBe('zh-CN');
    expect(languageFor('zh-Hans-SG')).toBe('zh-CN');
    expect(languageFor('en-GB')).toBe('en');
    expect(languageFor('de')).toBe('en');
    expect(languageFor(undefined)).toBe('en');
  });

  it('starts in Chinese from a zh locale and switches to English', async () => {
    await initI18n('zh-CN');
    installByok(createFakeService());
    const user = userEvent.setup();
    render(<App />);
    expect(screen.getByRole('tab', { name: '新建仪式' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('zh-CN');
    await user.selectOptions(screen.getByLabelText('语言'), 'en');
    expect(await screen.findByRole('tab', { name: 'New ceremony' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('en');
  });

  it('moves between screens with the arrow keys', async () => {
    await initI18n('en');
    installByok(createFakeService());
    const user = userEvent.setup();
    render(<App />);
    const vaultTab = screen.getByRole('tab', { name: 'Vault' });
    vaultTab.focus();
    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'New ceremony' }).getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'New ceremony' }));
    expect(screen.getByRole('heading', { level: 1, name: 'New ceremony' })).toBeTruthy();
    await user.keyboard('{End}');
    expect(screen.getByRole('heading', { level: 1, name: 'Audit' })).toBeTruthy();
    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('heading', { level: 1, name: 'Vault' })).toBeTruthy();
  });
});

describe('the vault summary in the header', () => {
  it('follows changes made on any screen', async () => {
    await initI18n('en');
    const service = createFakeService();
    installByok(service);
    render(<App initialScreen="ceremony" />);
    await screen.findByText('Vault vault-1 · 0 keys');
    await window.byok.generateKeys({ spec: 'AES_256', alias: 'alias/x' }); // what a screen would do
    const { call } = await import('../../../renderer/api/call.ts');
    await call('generateKeys', { spec: 'AES_256', alias: 'alias/y' });
    expect(await screen.findByText('Vault vault-1 · 2 keys')).toBeTruthy();
  });

  it('warns in the header when signing would be refused for the ceremony key, and only then', async () => {
    await initI18n('en');
    const service = createFakeService();
    installByok(service);
    render(<App initialScreen="vault" />);
    await screen.findByText(/Vault vault-1/, {}, { timeout: 5000 });
    expect(screen.queryByTestId('ceremony-key-problem')).toBeNull();
    cleanup();

    service.vaultInfo.mockResolvedValue({ vaultId: 'v', dir: '/v', keys: 1, ceremonyPublicKey: 'k', ceremonyKeyProblem: 'the key is not in the OS keychain', reconciliation: { backupsWithoutRecord: [], recordsWithoutBackup: [], damagedBatches: [] } });
    render(<App initialScreen="vault" />);
    const warning = await screen.findByTestId('ceremony-key-problem', {}, { timeout: 5000 });
    expect(warning.textContent).toMatch(/Signing is refused/);
    expect(warning.getAttribute('title')).toBe('the key is not in the OS keychain');
    expect(warning.getAttribute('role')).toBe('alert');
  });
});
