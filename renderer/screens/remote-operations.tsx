// Connected mode, step by step as the CLI has it: create the remote key that will hold a local key's
// material, fetch import parameters into a request file for the air-gapped machine, import a bundle.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProviderSummary, KeySummary } from '../../shared/ceremony-api.ts';
import { call } from '../api/call.ts';
import { useAction, useProgress } from '../api/hooks.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field, SelectField } from '../components/field.tsx';
import { PathField } from '../components/path-field.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import { formatUtc } from '../format.ts';

export function RemoteOperations({ providers, keys, onChanged }: { providers: ProviderSummary[]; keys: KeySummary[]; onChanged: () => void }) {
  const { t } = useTranslation();
  const providerOptions = providers.map((provider) => ({ value: provider.name, label: `${provider.name} (${provider.type})` }));
  const keyOptions = keys.map((key) => ({ value: key.id, label: `${key.alias} (${key.spec})` }));
  const [provider, setProvider] = useState('');
  const [keyId, setKeyId] = useState('');
  const [paramsOut, setParamsOut] = useState('');
  const [bundlePath, setBundlePath] = useState('');
  const [trustSigner, setTrustSigner] = useState('');
  const chosenProvider = provider || providerOptions[0]?.value || '';
  const chosenKey = keyId || keyOptions[0]?.value || '';
  const [importProgress, resetImportProgress] = useProgress('importBundle');

  const create = useAction(async () => {
    const reply = await call('remoteCreateKey', { provider: chosenProvider, keyId: chosenKey });
    onChanged();
    return reply;
  });
  const params = useAction(() => call('remoteParams', { provider: chosenProvider, keyIds: [chosenKey], out: paramsOut }));
  const importAction = useAction(async () => {
    resetImportProgress();
    const signer = trustSigner.trim();
    const reply = await call('importBundle', { path: bundlePath, ...(chosenProvider ? { provider: chosenProvider } : {}), ...(signer ? { trustSigner: signer } : {}) });
    onChanged();
    return reply;
  });

  return (
    <section aria-labelledby="remote-title" className="card">
      <h2 id="remote-title">{t('remote.title')}</h2>
      <SelectField label={t('sync.provider')} value={chosenProvider} onChange={setProvider} options={providerOptions} />
      <SelectField label={t('backups.key')} value={chosenKey} onChange={setKeyId} options={keyOptions} />

      <h3>{t('remote.create')}</h3>
      <button type="button" disabled={create.busy || !chosenProvider || !chosenKey} onClick={() => void create.run()}>{t('remote.createButton')}</button>
      <ErrorBanner error={create.error} />
      {create.result && <p role="status">{t('remote.created', { remote: create.result.remoteKeyId })}</p>}

      <h3>{t('remote.params')}</h3>
      <PathField label={t('remote.paramsOut')} purpose="save-file" value={paramsOut} onChange={setParamsOut} />
      <button type="button" disabled={params.busy || !chosenProvider || !chosenKey || !paramsOut} onClick={() => void params.run()}>{t('remote.paramsButton')}</button>
      <ErrorBanner error={params.error} />
      {params.result && (
        <p role="status">{t('remote.paramsWritten', { path: params.result.path, validTo: formatUtc(params.result.parametersValidTo) })} <code className="sha">{params.result.sha256}</code></p>
      )}

      <h3>{t('remote.import')}</h3>
      <PathField label={t('remote.bundle')} purpose="bundle-file" value={bundlePath} onChange={setBundlePath} />
      <Field label={t('remote.trustSigner')} hint={t('remote.trustSignerHint')} value={trustSigner} onChange={(event) => setTrustSigner(event.target.value)} spellCheck={false} autoComplete="off" />
      <button type="button" disabled={importAction.busy || !bundlePath} onClick={() => void importAction.run()}>{t('remote.importButton')}</button>
      {importAction.busy && <ProgressBar progress={importProgress} label={t('remote.import')} cancellable="importBundle" />}
      <ErrorBanner error={importAction.error} />
      {importAction.result && (
        <p role="status" data-testid="import-result">
          {t('remote.imported', { remote: importAction.result.remoteKeyId, state: t(`remoteState.${importAction.result.state}`), expiry: formatUtc(importAction.result.materialExpiry), proof: importAction.result.proof })}
        </p>
      )}
    </section>
  );
}
