// Material expiry per key and provider as a chart (recharts), with the renewal window marked, and the
// same data as a table for screen readers and keyboard users.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Cell, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { useQuery } from '../api/hooks.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field } from '../components/field.tsx';
import { formatUtc, secondsUntil } from '../format.ts';

export function ExpiryScreen() {
  const { t } = useTranslation();
  const keys = useQuery('listKeys', {}, []);
  const [windowDays, setWindowDays] = useState('30');
  const renewalDays = Number(windowDays) || 30;
  const rows = useMemo(() => {
    const now = new Date();
    return (keys.data?.keys ?? [])
      .flatMap((key) =>
        key.remote
          .filter((binding) => binding.materialExpiry)
          .map((binding) => ({
            label: `${key.alias} @ ${binding.provider}`,
            expiry: binding.materialExpiry!,
            daysLeft: Math.round((secondsUntil(binding.materialExpiry!, now) / 86_400) * 10) / 10,
          })),
      )
      .sort((a, b) => a.daysLeft - b.daysLeft);
  }, [keys.data]);
  const maxDays = Math.max(renewalDays * 2, ...rows.map((row) => row.daysLeft), 1);

  return (
    <section aria-labelledby="expiry-title" className="screen expiry">
      <h1 id="expiry-title">{t('nav.expiry')}</h1>
      <Field label={t('sync.renewalWindow')} type="number" min={1} max={365} value={windowDays} onChange={(event) => setWindowDays(event.target.value)} />
      <ErrorBanner error={keys.error} />
      {rows.length === 0 ? (
        <p data-testid="expiry-empty">{t('expiry.none')}</p>
      ) : (
        <figure aria-label={t('expiry.chartLabel')} data-testid="expiry-chart">
          <BarChart width={900} height={Math.max(160, 40 + rows.length * 28)} data={rows} layout="vertical" margin={{ left: 40, right: 20 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" domain={[Math.min(0, ...rows.map((row) => row.daysLeft)), Math.ceil(maxDays)]} unit=" d" />
            <YAxis type="category" dataKey="label" width={260} />
            <Tooltip />
            <ReferenceArea x1={0} x2={renewalDays} fill="#f5a623" fillOpacity={0.2} label={t('expiry.window')} />
            <ReferenceLine x={0} stroke="#c0392b" />
            <Bar dataKey="daysLeft" name={t('expiry.daysLeft')} isAnimationActive={false}>
              {rows.map((row) => (
                <Cell key={row.label} fill={row.daysLeft < 0 ? '#c0392b' : row.daysLeft < renewalDays ? '#e67e22' : '#2e86de'} />
              ))}
            </Bar>
          </BarChart>
          <figcaption>{t('expiry.caption', { days: renewalDays })}</figcaption>
        </figure>
      )}
      <table className="plain">
        <caption>{t('expiry.tableCaption')}</caption>
        <thead><tr><th>{t('expiry.binding')}</th><th>{t('vault.column.expiry')}</th><th>{t('expiry.daysLeft')}</th></tr></thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label} className={row.daysLeft < renewalDays ? 'in-window' : undefined}><td>{row.label}</td><td>{formatUtc(row.expiry)}</td><td>{row.daysLeft}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
