// "Wrap every key of a request file": the app's face of `byok wrap --params REQUEST_FILE --out DIR`.
// Every key is checked before any material is read; each key's outputs go to <out>/<alias>/.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../api/call.ts';
import { useAction, useProgress } from '../api/hooks.ts';
import { CheckValue } from '../components/check-value.tsx';
import { ErrorBanner } from '../components/error-banner.tsx';
import { PathField } from '../components/path-field.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';

export function WrapRequestFile() {
  const { t } = useTranslation();
  const [requestPath, setRequestPath] = useState('');
  const [outDir, setOutDir] = useState('');
  const [progress, resetProgress] = useProgress('wrapAll');
  const wrap = useAction(async () => {
    resetProgress();
    return call('wrapAll', { paramsPath: requestPath.trim(), outDir: outDir.trim() });
  });

  return (
    <section aria-labelledby="wrap-all-title" className="card wrap-all">
      <h3 id="wrap-all-title">{t('wrapAll.title')}</h3>
      <p>{t('wrapAll.help')}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void wrap.run();
        }}
      >
        <PathField label={t('wrapAll.request')} purpose="params-files" value={requestPath} onChange={setRequestPath} />
        <PathField label={t('wrapAll.out')} purpose="output-folder" value={outDir} onChange={setOutDir} />
        <button type="submit" disabled={wrap.busy || !requestPath.trim() || !outDir.trim()}>{t('wrapAll.button')}</button>
      </form>
      {(wrap.busy || (progress && !wrap.result)) && <ProgressBar progress={progress} label={t('wrapAll.label')} cancellable="wrapAll" />}
      <ErrorBanner error={wrap.error} />
      {wrap.result && (
        <div data-testid="wrap-all-result">
          <p role="status">{t('wrapAll.done', { count: wrap.result.keys.length })}</p>
          <table className="plain">
            <caption>{t('ceremony.filesWritten')}</caption>
            <thead><tr><th>{t('plan.key')}</th><th>{t('ceremony.file')}</th><th>SHA-256</th></tr></thead>
            <tbody>
              {wrap.result.keys.flatMap((key) =>
                key.files.map((file) => (
                  <tr key={file.path}>
                    <td>{key.keyId} <CheckValue check={key.check} /></td>
                    <td><code>{file.path}</code></td>
                    <td><code className="sha">{file.sha256}</code></td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
          {wrap.result.keys.flatMap((key) => key.warnings).map((warning, index) => <p key={index} className="warning">⚠ {warning}</p>)}
        </div>
      )}
    </section>
  );
}
