// The selected key: its metadata, remote bindings and its history from the audit log.
import { useTranslation } from 'react-i18next';
import type { KeySummary } from '../../shared/ceremony-api.ts';
import { useQuery } from '../api/hooks.ts';
import { CheckValue } from '../components/check-value.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { formatUtc } from '../format.ts';

export function KeyDetail({ keySummary, onClose }: { keySummary: KeySummary; onClose: () => void }) {
  const { t } = useTranslation();
  const history = useQuery('keyHistory', { keyId: keySummary.id }, [keySummary.id]);
  return (
    <aside className="key-detail" aria-labelledby="key-detail-title">
      <header>
        <h2 id="key-detail-title">{keySummary.alias}</h2>
        <button type="button" onClick={onClose} aria-label={t('action.close')}>×</button>
      </header>
      <dl>
        <dt>{t('vault.column.id')}</dt>
        <dd><code>{keySummary.id}</code></dd>
        <dt>{t('vault.column.spec')}</dt>
        <dd>{keySummary.spec}</dd>
        <dt>{keySummary.check.kind === 'kcv' ? 'KCV' : t('vault.fingerprint')}</dt>
        <dd><CheckValue check={keySummary.check} full /></dd>
        <dt>{t('vault.column.created')}</dt>
        <dd>{formatUtc(keySummary.createdAt)}</dd>
        <dt>{t('vault.column.backup')}</dt>
        <dd>{t(`backup.${keySummary.backup}`)}</dd>
      </dl>
      {keySummary.remote.length > 0 && (
        <table className="plain">
          <caption>{t('vault.remoteBindings')}</caption>
          <thead>
            <tr><th>{t('sync.provider')}</th><th>{t('vault.column.remote')}</th><th>{t('vault.column.state')}</th><th>{t('vault.column.expiry')}</th><th>{t('sync.lastSync')}</th></tr>
          </thead>
          <tbody>
            {keySummary.remote.map((binding) => (
              <tr key={`${binding.provider}-${binding.remoteKeyId}`}>
                <td>{binding.provider} ({binding.providerType}{binding.region ? `, ${binding.region}` : ''})</td>
                <td><code>{binding.remoteKeyId}</code></td>
                <td>{t(`remoteState.${binding.state}`)}</td>
                <td>{formatUtc(binding.materialExpiry)}</td>
                <td>{formatUtc(binding.lastSyncedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('vault.history')}</h3>
      <ErrorBanner error={history.error} />
      <ol className="history" aria-busy={history.loading}>
        {history.data?.events.map((event) => (
          <li key={event.seq}>
            <time dateTime={event.time}>{formatUtc(event.time)}</time> <strong>{event.type}</strong> — {event.summary}
            {event.operator ? ` · ${t('ceremony.operator')}: ${event.operator}` : ''}
            {event.witnesses.length ? ` · ${t('ceremony.witnesses')}: ${event.witnesses.join(', ')}` : ''}
          </li>
        ))}
      </ol>
    </aside>
  );
}
