// The app frame: a header with the vault and the language switch, a tab list of screens (arrow keys move
// between tabs, as the WAI-ARIA tabs pattern expects), and the current screen.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { KEYS_LOADED_EVENT, VAULT_CHANGED_EVENT } from './api/call.ts';
import { useTranslation } from 'react-i18next';
import { useQuery } from './api/hooks.ts';
import { LANGUAGES } from './i18n/index.ts';
import { AuditScreen } from './screens/audit-screen.tsx';
import { BackupsScreen } from './screens/backups-screen.tsx';
import { CeremonyWizard } from './screens/ceremony-wizard.tsx';
import { ExpiryScreen } from './screens/expiry-screen.tsx';
import { SyncScreen } from './screens/sync-screen.tsx';
import { VaultScreen } from './screens/vault-screen.tsx';

export const SCREENS = {
  vault: VaultScreen,
  ceremony: CeremonyWizard,
  backups: BackupsScreen,
  sync: SyncScreen,
  expiry: ExpiryScreen,
  audit: AuditScreen,
} as const;
export type ScreenName = keyof typeof SCREENS;
const SCREEN_NAMES = Object.keys(SCREENS) as ScreenName[];

export function App({ initialScreen = 'vault' }: { initialScreen?: ScreenName }) {
  const { t, i18n } = useTranslation();
  const [screen, setScreen] = useState<ScreenName>(initialScreen);
  const tabs = useRef<Record<string, HTMLButtonElement | null>>({});
  // The header's summary waits for the key table when the app opens on the vault: at 10,000 keys both
  // calls are a few hundred ms of main-process work, and the table is what the user opened the app for.
  const [headerEnabled, setHeaderEnabled] = useState(initialScreen !== 'vault');
  useEffect(() => {
    if (headerEnabled) return;
    const enable = () => setHeaderEnabled(true);
    window.addEventListener(KEYS_LOADED_EVENT, enable);
    const fallback = setTimeout(enable, 3000);
    return () => {
      window.removeEventListener(KEYS_LOADED_EVENT, enable);
      clearTimeout(fallback);
    };
  }, [headerEnabled]);
  const vault = useQuery('vaultInfo', {}, [], headerEnabled);
  const Screen = SCREENS[screen];
  const reloadVault = vault.reload;
  useEffect(() => {
    window.addEventListener(VAULT_CHANGED_EVENT, reloadVault);
    return () => window.removeEventListener(VAULT_CHANGED_EVENT, reloadVault);
  }, [reloadVault]);

  const onTabKey = (event: KeyboardEvent) => {
    const index = SCREEN_NAMES.indexOf(screen);
    const next =
      event.key === 'ArrowRight' ? (index + 1) % SCREEN_NAMES.length
      : event.key === 'ArrowLeft' ? (index - 1 + SCREEN_NAMES.length) % SCREEN_NAMES.length
      : event.key === 'Home' ? 0
      : event.key === 'End' ? SCREEN_NAMES.length - 1
      : -1;
    if (next < 0) return;
    event.preventDefault();
    const name = SCREEN_NAMES[next]!;
    setScreen(name);
    tabs.current[name]?.focus();
  };

  return (
    <div className="app">
      <a className="skip-link" href="#main">{t('app.skip')}</a>
      <header className="app-header">
        <span className="app-title">{t('app.title')}</span>
        <span className="vault-info" data-testid="vault-info">
          {vault.data ? t('app.vault', { id: vault.data.vaultId, keys: vault.data.keys }) : ''}
        </span>
        {vault.data?.ceremonyKeyProblem ? (
          <span className="vault-warning" role="alert" data-testid="ceremony-key-problem" title={vault.data.ceremonyKeyProblem}>
            {t('app.ceremonyKeyProblem')}
          </span>
        ) : null}
        <label className="language">
          <span>{t('app.language')}</span>
          <select value={i18n.resolvedLanguage ?? i18n.language} onChange={(event) => void i18n.changeLanguage(event.target.value)}>
            {LANGUAGES.map((language) => (
              <option key={language.code} value={language.code}>{language.label}</option>
            ))}
          </select>
        </label>
      </header>
      <nav role="tablist" aria-label={t('app.screens')} className="tabs" onKeyDown={onTabKey}>
        {SCREEN_NAMES.map((name) => (
          <button
            key={name}
            ref={(element) => {
              tabs.current[name] = element;
            }}
            type="button"
            role="tab"
            id={`tab-${name}`}
            aria-selected={screen === name}
            aria-controls="main"
            tabIndex={screen === name ? 0 : -1}
            onClick={() => setScreen(name)}
          >
            {t(`nav.${name}`)}
          </button>
        ))}
      </nav>
      <main id="main" role="tabpanel" aria-labelledby={`tab-${screen}`} tabIndex={-1}>
        <Screen />
      </main>
    </div>
  );
}
