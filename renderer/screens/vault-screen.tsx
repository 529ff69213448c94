// The vault: the key table with search and a spec filter, and the selected key's detail panel.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { KEY_SPEC_NAMES, type KeySpecName } from '../../shared/key-specs.ts';
import { KEYS_LOADED_EVENT } from '../api/call.ts';
import { useQuery } from '../api/hooks.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { SelectField } from '../components/field.tsx';
import { KeyDetail } from './key-detail.tsx';
import { KeyTable } from './key-table.tsx';

function useMinuteClock(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function VaultScreen() {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [spec, setSpec] = useState<KeySpecName | ''>('');
  const [selectedId, setSelectedId] = useState<string>();
  const now = useMinuteClock();
  const keys = useQuery('listKeys', {}, []);
  useEffect(() => {
    if (keys.data) window.dispatchEvent(new Event(KEYS_LOADED_EVENT));
  }, [keys.data]);
  // Filter locally: one listKeys call per vault open, then instant search over what is loaded.
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (keys.data?.keys ?? []).filter(
      (key) =>
        (!spec || key.spec === spec) &&
        (!needle ||
          key.alias.toLowerCase().includes(needle) ||
          key.id.toLowerCase().includes(needle) ||
          key.check.value.toLowerCase().startsWith(needle) ||
          key.remote.some((binding) => binding.remoteKeyId.toLowerCase().includes(needle))),
    );
  }, [keys.data, search, spec]);
  const selected = shown.find((key) => key.id === selectedId) ?? keys.data?.keys.find((key) => key.id === selectedId);

  return (
    <section aria-labelledby="vault-title" className="screen vault-screen">
      <h1 id="vault-title">{t('nav.vault')}</h1>
      <div className="toolbar" role="search">
        <div className="field">
          <label htmlFor="key-search">{t('vault.search')}</label>
          <input id="key-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </div>
        <SelectField
          label={t('vault.specFilter')}
          value={spec}
          onChange={(value) => setSpec(value as KeySpecName | '')}
          options={[{ value: '', label: t('vault.allSpecs') }, ...KEY_SPEC_NAMES.map((name) => ({ value: name, label: name }))]}
        />
        <button type="button" onClick={keys.reload}>{t('action.refresh')}</button>
        <span className="count" aria-live="polite" data-testid="key-count">
          {t('vault.count', { shown: shown.length, total: keys.data?.keys.length ?? 0 })}
        </span>
      </div>
      <ErrorBanner error={keys.error} />
      <div className="vault-body">
        {keys.data && keys.data.keys.length === 0 ? (
          <p className="empty" data-testid="vault-empty">{t('vault.empty')}</p>
        ) : (
          <KeyTable keys={shown} selectedId={selectedId} onSelect={setSelectedId} now={now} />
        )}
        {selected && <KeyDetail keySummary={selected} onClose={() => setSelectedId(undefined)} />}
      </div>
    </section>
  );
}
