// The wizard's "Load a plan file" start: the plan is checked by the core exactly as `byok plan check`
// does (the same plan model), its hash is shown in hex and in PGP words for the reviewers to compare,
// every problem is listed with its line:column, and a plan with no problem fills the wizard.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PlanCheckSummary } from '../../shared/ceremony-api.ts';
import { call } from '../api/call.ts';
import { useAction } from '../api/hooks.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field } from '../components/field.tsx';
import { PathField } from '../components/path-field.tsx';
import { formatUtc } from '../format.ts';

/** The hash in groups of four hex digits, as the CLI prints it. */
export function groupedHex(hex: string): string {
  return hex.match(/.{1,4}/g)?.join(' ') ?? hex;
}

export function problemPlace(problem: PlanCheckSummary['problems'][number], wholeFile: string): string {
  const at = problem.line !== undefined ? `${problem.line}:${problem.column ?? 1}` : '';
  return [at, problem.path || (at ? '' : wholeFile)].filter(Boolean).join(' ');
}

export function PlanLoader({ onLoaded }: { onLoaded: (plan: PlanCheckSummary) => void }) {
  const { t } = useTranslation();
  const [path, setPath] = useState('');
  const [at, setAt] = useState('');
  const check = useAction(async () => {
    const summary = await call('planCheck', { path: path.trim(), ...(at.trim() ? { at: at.trim() } : {}) });
    if (summary.ok) onLoaded(summary);
    return summary;
  });
  const summary = check.result;

  return (
    <section aria-labelledby="plan-title" className="card plan-loader">
      <h3 id="plan-title">{t('plan.title')}</h3>
      <p>{t('plan.help')}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void check.run();
        }}
      >
        <PathField label={t('plan.file')} purpose="params-files" value={path} onChange={setPath} placeholder="/path/to/plan.yaml" />
        <Field label={t('plan.at')} hint={t('plan.atHint')} value={at} placeholder="2026-12-01T09:00:00Z" onChange={(event) => setAt(event.target.value)} />
        <button type="submit" disabled={check.busy || !path.trim()}>{t('plan.check')}</button>
      </form>
      <ErrorBanner error={check.error} />
      {summary && (
        <div data-testid="plan-result">
          <p role="status" className={summary.ok ? 'ok' : 'warning'}>
            {summary.ok ? t('plan.ok', { keys: summary.keys.length }) : t('plan.problems', { count: summary.problems.length })}
          </p>
          <dl className="plan-hash">
            {summary.ceremony && (
              <>
                <dt>{t('plan.ceremony')}</dt>
                <dd>{summary.ceremony}</dd>
              </>
            )}
            <dt>{t('plan.hash')}</dt>
            <dd><code className="sha" data-testid="plan-sha256">{groupedHex(summary.sha256)}</code></dd>
            <dt>{t('plan.words')}</dt>
            <dd data-testid="plan-words">{summary.words}</dd>
          </dl>
          {summary.problems.length > 0 && (
            <ul aria-label={t('plan.problemsLabel')} className="plan-problems" data-testid="plan-problems">
              {summary.problems.map((problem, index) => (
                <li key={index}>
                  <code>{problemPlace(problem, t('plan.wholeFile'))}</code> <code>{problem.code}</code>: {problem.message}
                </li>
              ))}
            </ul>
          )}
          {summary.keys.length > 0 && (
            <table className="plain" data-testid="plan-keys">
              <caption>{t('plan.keysLabel')}</caption>
              <thead>
                <tr><th>{t('plan.key')}</th><th>{t('plan.spec')}</th><th>{t('plan.count')}</th><th>{t('plan.provider')}</th><th>{t('plan.params')}</th><th>{t('plan.expiry')}</th></tr>
              </thead>
              <tbody>
                {summary.keys.map((key) => (
                  <tr key={key.label}>
                    <td>{key.label}</td>
                    <td>{key.spec}</td>
                    <td>{key.count}</td>
                    <td>{key.provider ?? '—'}{key.algorithm ? ` (${key.algorithm})` : ''}</td>
                    <td><code>{key.paramsFile}</code></td>
                    <td>{key.materialExpiry ? formatUtc(key.materialExpiry) : t('plan.never')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {summary.output && <p>{t('plan.output', { path: summary.output })}</p>}
          {summary.backup?.split && <p>{t('plan.split', { threshold: summary.backup.split.threshold, total: summary.backup.split.total })}</p>}
          {summary.backup?.escrowPath && <p>{t('plan.escrow', { path: summary.backup.escrowPath })}</p>}
        </div>
      )}
    </section>
  );
}
