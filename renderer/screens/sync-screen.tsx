// Sync: providers (credentials go one way, straight to the core and its keychain), sync now, the job
// queue, last sync per provider, keys inside the renewal window with one-click renew.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../api/call.ts';
import { useAction, useProgress, useQuery } from '../api/hooks.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field, SelectField } from '../components/field.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import { formatCountdown, formatUtc, secondsUntil } from '../format.ts';
import { DeleteMaterial } from './delete-material.tsx';
import { RemoteOperations } from './remote-operations.tsx';

const EMPTY_FORM = { name: '', type: 'huawei' as 'huawei' | 'tencent' | 'aws', region: '', projectId: '', endpoint: '', accessKeyId: '', secret: '', sessionToken: '' };

export function SyncScreen() {
  const { t } = useTranslation();
  const providers = useQuery('providerList', {}, []);
  const jobs = useQuery('syncJobs', {}, []);
  const keys = useQuery('listKeys', {}, []);
  const [form, setForm] = useState(EMPTY_FORM);
  const [windowDays, setWindowDays] = useState('30');
  const [progress, resetProgress] = useProgress('sync');

  const add = useAction(async () => {
    let reply;
    try {
      reply = await call('providerAdd', {
        name: form.name,
        type: form.type,
        region: form.region,
        ...(form.projectId ? { projectId: form.projectId } : {}),
        ...(form.endpoint ? { endpoint: form.endpoint } : {}),
        accessKeyId: form.accessKeyId,
        secret: form.secret,
        ...(form.sessionToken ? { sessionToken: form.sessionToken } : {}),
      });
    } finally {
      // Succeeded or not, the page keeps no copy of the credentials (a refused form is typed again).
      setForm((previous) => ({ ...previous, accessKeyId: '', secret: '', sessionToken: '' }));
    }
    setForm(EMPTY_FORM);
    providers.reload();
    return reply;
  });
  const remove = useAction(async (name: string) => {
    const reply = await call('providerRemove', { name });
    providers.reload();
    return reply;
  });
  const sync = useAction(async (provider?: string) => {
    resetProgress();
    const reply = await call('sync', { ...(provider ? { provider } : {}), renewalWindowDays: Number(windowDays) || 30 });
    providers.reload();
    jobs.reload();
    keys.reload();
    return reply;
  });
  const [renewTo, setRenewTo] = useState('');
  const renew = useAction(async (keyId: string) => {
    const reply = await call('renewKey', { keyId, ...(renewTo.trim() ? { materialExpiry: renewTo.trim() } : {}) });
    keys.reload();
    return reply;
  });

  const now = new Date();
  const windowSeconds = (Number(windowDays) || 30) * 86_400;
  const bindings = useMemo(
    () => (keys.data?.keys ?? []).flatMap((key) => key.remote.map((binding) => ({ key, binding }))),
    [keys.data],
  );
  const lastSync = (provider: string) =>
    bindings.filter(({ binding }) => binding.provider === provider).map(({ binding }) => binding.lastSyncedAt ?? '').sort().at(-1) || null;
  const renewable = bindings.filter(({ binding }) => binding.materialExpiry && secondsUntil(binding.materialExpiry, now) < windowSeconds);

  return (
    <section aria-labelledby="sync-title" className="screen sync">
      <h1 id="sync-title">{t('nav.sync')}</h1>

      <section aria-labelledby="providers-title" className="card">
        <h2 id="providers-title">{t('sync.providers')}</h2>
        <ErrorBanner error={providers.error ?? remove.error} />
        <table className="plain" data-testid="providers">
          <thead><tr><th>{t('sync.name')}</th><th>{t('sync.type')}</th><th>{t('sync.region')}</th><th>{t('sync.status')}</th><th>{t('sync.lastSync')}</th><th><span className="visually-hidden">{t('sync.actions')}</span></th></tr></thead>
          <tbody>
            {providers.data?.providers.map((provider) => (
              <tr key={provider.name}>
                <td>{provider.name}</td>
                <td>{provider.type}</td>
                <td>{provider.region}</td>
                <td>{provider.connected ? t('sync.connected') : t('sync.disconnected')}{provider.hasCredentials ? '' : ` · ${t('sync.noCredentials')}`}</td>
                <td>{formatUtc(lastSync(provider.name))}</td>
                <td>
                  <button type="button" disabled={sync.busy} onClick={() => void sync.run(provider.name)}>{t('sync.connectSync', { name: provider.name })}</button>
                  <button type="button" disabled={remove.busy} onClick={() => void remove.run(provider.name)}>{t('sync.remove', { name: provider.name })}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="add-title" className="card">
        <h2 id="add-title">{t('sync.add')}</h2>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void add.run();
          }}
        >
          <Field label={t('sync.name')} required value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
          <SelectField label={t('sync.type')} value={form.type} onChange={(type) => setForm({ ...form, type: type as typeof form.type })} options={[{ value: 'huawei', label: 'Huawei Cloud KMS' }, { value: 'tencent', label: 'Tencent Cloud KMS' }, { value: 'aws', label: 'AWS KMS' }]} />
          <Field label={t('sync.region')} required value={form.region} onChange={(event) => setForm({ ...form, region: event.target.value })} />
          {form.type === 'huawei' && <Field label={t('sync.projectId')} value={form.projectId} onChange={(event) => setForm({ ...form, projectId: event.target.value })} />}
          <Field label={t('sync.endpoint')} hint={t('sync.endpointHint')} value={form.endpoint} onChange={(event) => setForm({ ...form, endpoint: event.target.value })} />
          <Field label={t('sync.accessKeyId')} required autoComplete="off" value={form.accessKeyId} onChange={(event) => setForm({ ...form, accessKeyId: event.target.value })} />
          <Field label={t('sync.secret')} required type="password" autoComplete="off" value={form.secret} onChange={(event) => setForm({ ...form, secret: event.target.value })} />
          <Field label={t('sync.sessionToken')} type="password" autoComplete="off" value={form.sessionToken} onChange={(event) => setForm({ ...form, sessionToken: event.target.value })} />
          <p className="hint">{t('sync.credentialsNote')}</p>
          <button type="submit" disabled={add.busy}>{t('sync.addButton')}</button>
        </form>
        <ErrorBanner error={add.error} />
        {add.result && <p role="status">{t('sync.added', { name: add.result.name })}</p>}
      </section>

      <RemoteOperations providers={providers.data?.providers ?? []} keys={keys.data?.keys ?? []} onChanged={() => { keys.reload(); jobs.reload(); }} />

      <DeleteMaterial keys={keys.data?.keys ?? []} onChanged={() => { keys.reload(); jobs.reload(); }} />

      <section aria-labelledby="run-title" className="card">
        <h2 id="run-title">{t('sync.run')}</h2>
        <Field label={t('sync.renewalWindow')} type="number" min={1} max={365} value={windowDays} onChange={(event) => setWindowDays(event.target.value)} />
        <button type="button" disabled={sync.busy} onClick={() => void sync.run()}>{t('sync.syncAll')}</button>
        {sync.busy && <ProgressBar progress={progress} label={t('sync.run')} cancellable="sync" />}
        <ErrorBanner error={sync.error} />
        {sync.result && (
          <div role="status" data-testid="sync-result">
            {t('sync.result', {
              imported: sync.result.imported.length,
              expiring: sync.result.expiring.length,
              expired: sync.result.expired.length,
              renewed: sync.result.renewed.length,
              pending: sync.result.pendingJobs,
              failed: sync.result.failedJobs.length,
            })}
            <ul>
              {sync.result.drifted.map((drift) => <li key={drift.id}>⚠ {drift.id}: {drift.reason}</li>)}
              {sync.result.failedJobs.map((job) => <li key={job.id}>✗ {job.id}: {job.reason}</li>)}
              {sync.result.renewalRequests.map((path) => <li key={path}>{t('sync.renewalRequest')}: <code>{path}</code></li>)}
            </ul>
          </div>
        )}
      </section>

      <section aria-labelledby="renew-title" className="card">
        <h2 id="renew-title">{t('sync.renewals', { days: Number(windowDays) || 30 })}</h2>
        <Field label={t('sync.renewTo')} hint={t('ceremony.materialExpiryHint')} value={renewTo} placeholder="2027-11-25T00:00:00Z" onChange={(event) => setRenewTo(event.target.value)} />
        <ErrorBanner error={renew.error} />
        {renewable.length === 0 ? (
          <p>{t('sync.nothingToRenew')}</p>
        ) : (
          <ul>
            {renewable.map(({ key, binding }) => (
              <li key={`${key.id}-${binding.provider}`}>
                {key.alias} @ {binding.provider}: {formatUtc(binding.materialExpiry)} ({formatCountdown(secondsUntil(binding.materialExpiry!, now)).text}){' '}
                <button type="button" disabled={renew.busy} onClick={() => void renew.run(key.id)}>{t('sync.renew', { alias: key.alias })}</button>
              </li>
            ))}
          </ul>
        )}
        {renew.result && <p role="status">{renew.result.renewed ? t('sync.renewed', { expiry: formatUtc(renew.result.materialExpiry) }) : t('sync.renewalFile', { path: renew.result.renewalRequest ?? '' })}</p>}
      </section>

      <section aria-labelledby="queue-title" className="card">
        <h2 id="queue-title">{t('sync.queue')}</h2>
        <ErrorBanner error={jobs.error} />
        <table className="plain" data-testid="jobs">
          <thead><tr><th>{t('sync.job')}</th><th>{t('sync.kind')}</th><th>{t('sync.provider')}</th><th>{t('sync.status')}</th><th>{t('sync.attempts')}</th><th>{t('sync.nextAttempt')}</th><th>{t('sync.lastError')}</th></tr></thead>
          <tbody>
            {jobs.data?.jobs.map((job) => (
              <tr key={job.id}><td><code>{job.id}</code></td><td>{job.kind}</td><td>{job.provider}</td><td>{t(`jobStatus.${job.status}`)}</td><td>{job.attempts}</td><td>{formatUtc(job.nextAttemptAt)}</td><td>{job.lastError ?? '—'}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}
