// Backups: verify every backup (progress), restore one, split a key into M-of-N shares and combine them
// (each share's check value shown), write an escrow file.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../api/call.ts';
import { useAction, useProgress, useQuery } from '../api/hooks.ts';
import { CheckValue } from '../components/check-value.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field, SelectField } from '../components/field.tsx';
import { PathField } from '../components/path-field.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';

export function BackupsScreen() {
  const { t } = useTranslation();
  const keys = useQuery('listKeys', {}, []);
  const reconciled = useQuery('reconcile', {}, []);
  const vault = useQuery('vaultInfo', {}, []);
  const reconciliation = reconciled.data;
  const damaged = reconciliation?.damagedBatches ?? [];
  const keyOptions = (keys.data?.keys ?? []).map((key) => ({ value: key.id, label: `${key.alias} (${key.spec})` }));
  const [progress, resetProgress] = useProgress('backupVerify');
  const verify = useAction(async () => {
    resetProgress();
    return call('backupVerify', {});
  });

  const [restoreId, setRestoreId] = useState('');
  const restore = useAction(() => call('backupRestore', { keyId: restoreId || keyOptions[0]?.value || '' }));

  const [split, setSplit] = useState({ keyId: '', threshold: '2', shares: '3', outDir: '', custodians: '' });
  const splitAction = useAction(() =>
    call('sharesSplit', {
      keyId: split.keyId || keyOptions[0]?.value || '',
      threshold: Number(split.threshold),
      shares: Number(split.shares),
      outDir: split.outDir,
      ...(split.custodians.trim() ? { custodians: split.custodians.split(',').map((name) => name.trim()).filter(Boolean) } : {}),
    }),
  );

  const [sharePaths, setSharePaths] = useState<string[]>(['', '']);
  const combine = useAction(() => call('sharesCombine', { paths: sharePaths.map((path) => path.trim()).filter(Boolean) }));

  const [escrow, setEscrow] = useState({ keyIds: [] as string[], path: '', passphrase: '' });
  const escrowAction = useAction(async () => {
    try {
      return await call('escrowWrite', { keyIds: escrow.keyIds, path: escrow.path, passphrase: escrow.passphrase });
    } finally {
      setEscrow((previous) => ({ ...previous, passphrase: '' })); // succeeded or not, the page keeps no copy
    }
  });

  const [bundlePath, setBundlePath] = useState('');
  const bundle = useAction(() => call('verifyBundle', { path: bundlePath }));
  const rebuild = useAction(async () => {
    const reply = await call('vaultRebuild', {});
    keys.reload();
    return reply;
  });

  return (
    <section aria-labelledby="backups-title" className="screen backups">
      <h1 id="backups-title">{t('nav.backups')}</h1>
      <ErrorBanner error={keys.error ?? reconciled.error} />
      {reconciliation && (reconciliation.backupsWithoutRecord.length > 0 || reconciliation.recordsWithoutBackup.length > 0 || damaged.length > 0) && (
        <div role="alert" className="warning card" data-testid="reconciliation">
          <h2>{t('backups.reconciliation')}</h2>
          {reconciliation.recordsWithoutBackup.length > 0 && <p>{t('backups.recordsWithoutBackup', { ids: reconciliation.recordsWithoutBackup.join(', ') })}</p>}
          {reconciliation.backupsWithoutRecord.length > 0 && <p>{t('backups.backupsWithoutRecord', { ids: reconciliation.backupsWithoutRecord.join(', ') })}</p>}
          {damaged.map((batch) => (
            <p key={batch.batchId}>{t('backups.damagedBatch', { batch: batch.batchId, problems: batch.problems.join('; '), keys: batch.keyIds.join(', ') })}</p>
          ))}
        </div>
      )}

      <section aria-labelledby="verify-title" className="card">
        <h2 id="verify-title">{t('backups.verifyAll')}</h2>
        <button type="button" disabled={verify.busy} onClick={() => void verify.run()}>{t('backups.verifyAllButton')}</button>
        {verify.busy && <ProgressBar progress={progress} label={t('backups.verifyAll')} cancellable="backupVerify" />}
        <ErrorBanner error={verify.error} />
        {verify.result && (
          <div role="status" data-testid="verify-result" className={verify.result.failed.length ? 'warning' : 'ok'}>
            {t('backups.verifyResult', { verified: verify.result.verified, failed: verify.result.failed.length })}
            <ul>
              {verify.result.failed.map((failure) => <li key={failure.id}><code>{failure.id}</code>: {failure.reason}</li>)}
            </ul>
          </div>
        )}
      </section>

      <section aria-labelledby="restore-title" className="card">
        <h2 id="restore-title">{t('backups.restore')}</h2>
        <SelectField label={t('backups.key')} value={restoreId} onChange={setRestoreId} options={keyOptions} />
        <button type="button" disabled={restore.busy || keyOptions.length === 0} onClick={() => void restore.run()}>{t('backups.restoreButton')}</button>
        <ErrorBanner error={restore.error} />
        {restore.result && (
          <p role="status">
            {t('backups.restored', { alias: restore.result.key.alias })} <CheckValue check={restore.result.key.check} full />
          </p>
        )}
      </section>

      <section aria-labelledby="split-title" className="card">
        <h2 id="split-title">{t('backups.split')}</h2>
        <SelectField label={t('backups.key')} value={split.keyId} onChange={(keyId) => setSplit({ ...split, keyId })} options={keyOptions} />
        <Field label={t('backups.threshold')} type="number" min={1} max={255} value={split.threshold} onChange={(event) => setSplit({ ...split, threshold: event.target.value })} />
        <Field label={t('backups.shares')} type="number" min={1} max={255} value={split.shares} onChange={(event) => setSplit({ ...split, shares: event.target.value })} />
        <Field label={t('backups.custodians')} hint={t('ceremony.witnessesHint')} value={split.custodians} onChange={(event) => setSplit({ ...split, custodians: event.target.value })} />
        <PathField label={t('ceremony.outDir')} purpose="output-folder" value={split.outDir} onChange={(outDir) => setSplit({ ...split, outDir })} />
        <button type="button" disabled={splitAction.busy || !split.outDir} onClick={() => void splitAction.run()}>{t('backups.splitButton')}</button>
        <ErrorBanner error={splitAction.error} />
        {splitAction.result && (
          <table className="plain" data-testid="share-files">
            <caption>{t('backups.splitResult', { verified: splitAction.result.subsetsVerified })}</caption>
            <thead><tr><th>#</th><th>{t('ceremony.file')}</th><th>{t('backups.shareCheck')}</th><th>{t('backups.custodian')}</th></tr></thead>
            <tbody>
              {splitAction.result.files.map((file) => (
                <tr key={file.index}><td>{file.index}</td><td><code>{file.path}</code></td><td><code>{file.shareCheck}</code></td><td>{file.custodian ?? '—'}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="combine-title" className="card">
        <h2 id="combine-title">{t('backups.combine')}</h2>
        {sharePaths.map((path, index) => (
          <PathField
            key={index}
            label={t('backups.shareFile', { n: index + 1 })}
            purpose="share-files"
            value={path}
            onChange={(next) => setSharePaths(sharePaths.map((old, i) => (i === index ? next : old)))}
            onDropMany={(paths) => setSharePaths(paths)}
          />
        ))}
        <button type="button" onClick={() => setSharePaths([...sharePaths, ''])}>{t('backups.addShare')}</button>
        <button type="button" disabled={combine.busy} onClick={() => void combine.run()}>{t('backups.combineButton')}</button>
        <ErrorBanner error={combine.error} />
        {combine.result && (
          <p role="status">
            {t('backups.combined', { used: combine.result.sharesUsed })} <CheckValue check={combine.result.check} full />
          </p>
        )}
      </section>

      <section aria-labelledby="bundle-title" className="card">
        <h2 id="bundle-title">{t('backups.verifyBundle')}</h2>
        {/* What the connected machine's operator reads across for `byok import --trust-signer`. */}
        <p>
          {t('backups.ceremonyKey')} <code className="sha" data-testid="ceremony-key">{vault.data ? (vault.data.ceremonyPublicKey ?? t('backups.noCeremonyKey')) : ''}</code>
        </p>
        <PathField label={t('remote.bundle')} purpose="bundle-file" value={bundlePath} onChange={setBundlePath} />
        <button type="button" disabled={bundle.busy || !bundlePath} onClick={() => void bundle.run()}>{t('backups.verifyBundleButton')}</button>
        <ErrorBanner error={bundle.error} />
        {bundle.result && (
          <p role="status" data-testid="bundle-result">
            {t('backups.bundleValid', { alias: bundle.result.alias, provider: bundle.result.provider, algorithm: bundle.result.algorithm })} <CheckValue check={bundle.result.check} full />{' '}
            {bundle.result.signedByThisVault ? t('backups.signedHere') : t('backups.signedElsewhere', { key: bundle.result.signerPublicKey })}
          </p>
        )}
      </section>

      <section aria-labelledby="rebuild-title" className="card">
        <h2 id="rebuild-title">{t('backups.rebuild')}</h2>
        <p className="hint">{t('backups.rebuildHelp')}</p>
        <button type="button" disabled={rebuild.busy} onClick={() => void rebuild.run()}>{t('backups.rebuildButton')}</button>
        <ErrorBanner error={rebuild.error} />
        {rebuild.result && (
          <div role="status">
            {t('backups.rebuilt', { recovered: rebuild.result.recovered.length, unrecoverable: rebuild.result.unrecoverable.length })}
            <ul>{rebuild.result.unrecoverable.map((item) => <li key={item.item}>{item.item}: {item.reason}</li>)}</ul>
            {rebuild.result.quarantined.length > 0 && (
              <p>{t('backups.quarantined', { paths: rebuild.result.quarantined.join(', ') })}</p>
            )}
          </div>
        )}
      </section>

      <section aria-labelledby="escrow-title" className="card">
        <h2 id="escrow-title">{t('backups.escrow')}</h2>
        <fieldset>
          <legend>{t('backups.escrowKeys')}</legend>
          {keyOptions.map((option) => (
            <label key={option.value} className="checkbox">
              <input
                type="checkbox"
                checked={escrow.keyIds.includes(option.value)}
                onChange={(event) =>
                  setEscrow({ ...escrow, keyIds: event.target.checked ? [...escrow.keyIds, option.value] : escrow.keyIds.filter((id) => id !== option.value) })
                }
              />
              {option.label}
            </label>
          ))}
        </fieldset>
        <PathField label={t('backups.escrowPath')} purpose="save-file" value={escrow.path} onChange={(path) => setEscrow({ ...escrow, path })} />
        <Field label={t('backups.passphrase')} type="password" autoComplete="new-password" value={escrow.passphrase} onChange={(event) => setEscrow({ ...escrow, passphrase: event.target.value })} />
        <button type="button" disabled={escrowAction.busy || !escrow.keyIds.length || !escrow.path || !escrow.passphrase} onClick={() => void escrowAction.run()}>{t('backups.escrowButton')}</button>
        <ErrorBanner error={escrowAction.error} />
        {escrowAction.result && (
          <p role="status">{t('backups.escrowWritten', { path: escrowAction.result.path, keys: escrowAction.result.keys })} <code className="sha">{escrowAction.result.sha256}</code></p>
        )}
      </section>
    </section>
  );
}
