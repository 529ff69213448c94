// Audit: the hash-chained log with its verification status, the printable transcript export and its PDF.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../api/call.ts';
import { useAction, useQuery } from '../api/hooks.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { SelectField } from '../components/field.tsx';
import { PathField } from '../components/path-field.tsx';
import { formatUtc } from '../format.ts';
import { TranscriptPdf } from './transcript-pdf.tsx';

export function AuditScreen() {
  const { t } = useTranslation();
  const chain = useQuery('auditVerify', {}, []);
  const events = useQuery('auditList', { limit: 1000 }, []);
  const [format, setFormat] = useState<'md' | 'html'>('html');
  const [out, setOut] = useState('');
  const exportAction = useAction(() => call('auditExport', { format, out }));

  return (
    <section aria-labelledby="audit-title" className="screen audit">
      <h1 id="audit-title">{t('nav.audit')}</h1>
      <ErrorBanner error={chain.error} />
      {chain.data && (
        <p role="status" data-testid="chain-status" className={chain.data.valid ? 'ok' : 'warning'}>
          {chain.data.valid
            ? t('audit.chainValid', { events: chain.data.events, head: chain.data.head.slice(0, 16) })
            : t('audit.chainBroken', { seq: chain.data.problem?.seq ?? '?', reason: chain.data.problem?.reason ?? '' })}
        </p>
      )}
      {chain.data?.acceptedLosses?.map((loss) => (
        <p key={loss.seq} role="alert" className="warning" data-testid="accepted-loss">
          {t('audit.acceptedLoss', { seq: loss.seq, recordedSeq: loss.recordedSeq })}
        </p>
      ))}
      <section aria-labelledby="export-title" className="card">
        <h2 id="export-title">{t('audit.export')}</h2>
        <SelectField label={t('audit.format')} value={format} onChange={(value) => setFormat(value as 'md' | 'html')} options={[{ value: 'html', label: 'HTML' }, { value: 'md', label: 'Markdown' }]} />
        <PathField label={t('audit.out')} purpose="save-file" value={out} onChange={setOut} />
        <button type="button" disabled={exportAction.busy || !out.trim()} onClick={() => void exportAction.run()}>{t('audit.exportButton')}</button>
        <ErrorBanner error={exportAction.error} />
        {exportAction.result && (
          <p role="status" data-testid="export-result">
            {t('audit.exported', { path: exportAction.result.path })} <code className="sha">{exportAction.result.sha256}</code>
          </p>
        )}
      </section>
      <TranscriptPdf />
      <ErrorBanner error={events.error} />
      <table className="plain audit-log" data-testid="audit-log">
        <caption>{t('audit.log')}</caption>
        <thead><tr><th>#</th><th>{t('audit.time')}</th><th>{t('audit.type')}</th><th>{t('ceremony.operator')}</th><th>{t('ceremony.witnesses')}</th><th>{t('audit.summary')}</th></tr></thead>
        <tbody>
          {events.data?.events.map((event) => (
            <tr key={event.seq}><td>{event.seq}</td><td>{formatUtc(event.time)}</td><td>{event.type}</td><td>{event.operator ?? '—'}</td><td>{event.witnesses.join(', ') || '—'}</td><td>{event.summary}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
