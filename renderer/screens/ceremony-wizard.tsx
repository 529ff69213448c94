// The new-ceremony wizard: parameters files -> keys -> offline check -> generation (entropy health,
// progress) -> KCV read-back by the witness -> backup verified -> wrap into the output folder -> summary.
// Each step records what the core did; a step opens only when the one before it has succeeded.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { KEY_SPEC_NAMES, type KeySpecName } from '../../shared/key-specs.ts';
import { CallError, asCallError, call } from '../api/call.ts';
import { useProgress } from '../api/hooks.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field, SelectField } from '../components/field.tsx';
import { PathField } from '../components/path-field.tsx';
import { ProgressBar } from '../components/progress-bar.tsx';
import { CheckValue } from '../components/check-value.tsx';
import type { PlanCheckSummary } from '../../shared/ceremony-api.ts';
import { PlanLoader } from './plan-loader.tsx';
import { WrapRequestFile } from './wrap-request-file.tsx';
import { folderNameFor, formatCountdown, formatUtc, joinPath } from '../format.ts';
import {
  WIZARD_STEPS,
  algorithmsFor,
  allFiles,
  defaultAlgorithm,
  entropyHealth,
  expectedReadBack,
  operatorContext,
  readBackMatches,
  type CeremonyRow,
  type CeremonyState,
  type WizardStep,
} from './ceremony-state.ts';

const ZERO_PLAN = '0'.repeat(64);

function newState(): CeremonyState {
  return {
    ceremonyId: `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    rows: [{ paramsPath: '', spec: 'AES_256', algorithm: '', alias: '', typedCheck: '' }],
    operator: '',
    witnesses: '',
    offlineAcknowledged: false,
    outDir: '',
    materialExpiry: '',
    diceRolls: '',
    entropyFile: '',
  };
}

export function CeremonyWizard() {
  const { t } = useTranslation();
  const [step, setStep] = useState<WizardStep>('params');
  const [state, setState] = useState<CeremonyState>(newState);
  const [error, setError] = useState<CallError>();
  const [busy, setBusy] = useState(false);
  const [offline, setOffline] = useState<{ offline: boolean; interfaces: Array<{ name: string; addresses: string[] }> }>();
  const [generateProgress, resetGenerateProgress] = useProgress('generateKeys');

  const patchRow = (index: number, patch: Partial<CeremonyRow>) =>
    setState((previous) => ({ ...previous, rows: previous.rows.map((row, i) => (i === index ? { ...row, ...patch } : row)) }));
  const go = (next: WizardStep) => {
    setError(undefined);
    setStep(next);
  };
  const attempt = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (caught) {
      setError(asCallError(caught));
    } finally {
      setBusy(false);
    }
  };
  const recordStep = (name: string, status: 'done' | 'confirmed', keyId?: string, detail?: Record<string, string | number | boolean | null>) =>
    call('recordCeremonyStep', {
      ceremonyId: state.ceremonyId,
      planSha256: state.planSha256 ?? ZERO_PLAN,
      step: name,
      status,
      ...(keyId ? { keyId } : {}),
      ...(detail ? { detail } : {}),
      ...operatorContext(state),
    });

  /** A checked plan fills the wizard: one row per planned key, the people, the output folder. */
  const loadPlan = (plan: PlanCheckSummary) => {
    const expiries = new Set(plan.keys.map((key) => key.materialExpiry));
    setState((previous) => ({
      ...previous,
      planSha256: plan.sha256,
      rows: plan.keys.map((key) => ({ paramsPath: key.paramsPath, spec: key.spec, algorithm: key.algorithm ?? '', alias: key.label, typedCheck: '' })),
      operator: plan.operator ?? '',
      witnesses: plan.witnesses.join(', '),
      outDir: plan.output ?? previous.outDir,
      // One expiry for the whole wizard: taken from the plan only when every key names the same time
      // (none = the provider's default, which for e.g. Huawei asymmetric keys is the only choice).
      materialExpiry: expiries.size === 1 ? ([...expiries][0] ?? previous.materialExpiry) : previous.materialExpiry,
    }));
  };

  const inspectAll = () =>
    attempt(async () => {
      const rows = state.rows.filter((row) => row.paramsPath.trim());
      if (rows.length === 0) throw new CallError('INVALID_INPUT', t('ceremony.needParams'));
      const inspected: CeremonyRow[] = [];
      for (const row of rows) {
        const params = await call('inspectParams', { path: row.paramsPath.trim() });
        const allowed = Object.keys(params.algorithmsAllowed) as KeySpecName[];
        const next: CeremonyRow = { ...row, paramsPath: row.paramsPath.trim(), params, spec: allowed.includes(row.spec) ? row.spec : (allowed[0] ?? row.spec) };
        inspected.push({ ...next, algorithm: defaultAlgorithm(next) });
      }
      setState((previous) => ({ ...previous, rows: inspected }));
      go('keys');
    });

  const checkOffline = () =>
    attempt(async () => {
      const reply = await call('offlineCheck', {});
      setOffline(reply);
    });

  const generate = () =>
    attempt(async () => {
      resetGenerateProgress();
      const rows = [...state.rows];
      for (const [index, row] of rows.entries()) {
        if (row.key) continue;
        const reply = await call('generateKeys', {
          spec: row.spec,
          alias: row.alias,
          count: 1,
          ...(state.diceRolls ? { diceRolls: state.diceRolls.replace(/\s+/g, '') } : {}),
          ...(state.entropyFile.trim() ? { entropyFiles: [state.entropyFile.trim()] } : {}),
          ...operatorContext(state),
        });
        const key = reply.keys[0]!;
        rows[index] = { ...row, key: { id: key.id, check: key.check }, entropy: reply.entropy };
        setState((previous) => ({ ...previous, rows: [...rows] }));
      }
      setState((previous) => ({ ...previous, diceRolls: '' })); // used; the page keeps no copy
    });

  const confirmReadBack = () =>
    attempt(async () => {
      for (const row of state.rows) {
        await recordStep('kcv-read-back', 'confirmed', row.key!.id, { check: row.key!.check.value });
      }
      go('backup');
    });

  const verifyBackups = () =>
    attempt(async () => {
      const rows = [...state.rows];
      for (const [index, row] of rows.entries()) {
        const reply = await call('backupVerify', { keyId: row.key!.id });
        rows[index] = { ...row, backupVerified: reply.verified >= 1 && reply.failed.length === 0 };
        setState((previous) => ({ ...previous, rows: [...rows] }));
        if (reply.failed.length) throw new CallError('BACKUP_MISMATCH', reply.failed.map((failure) => failure.reason).join('; '));
      }
    });

  const wrapAll = () =>
    attempt(async () => {
      const rows = [...state.rows];
      for (const [index, row] of rows.entries()) {
        if (row.wrap) continue;
        const wrap = await call('wrap', {
          keyId: row.key!.id,
          paramsPath: row.paramsPath,
          outDir: joinPath(state.outDir.trim(), folderNameFor(row.alias)),
          ...(row.algorithm ? { algorithm: row.algorithm } : {}),
          ...(state.materialExpiry.trim() ? { materialExpiry: state.materialExpiry.trim() } : {}),
          ...operatorContext(state),
        });
        rows[index] = { ...row, wrap };
        setState((previous) => ({ ...previous, rows: [...rows] }));
      }
      go('summary');
    });

  const stepIndex = WIZARD_STEPS.indexOf(step);
  const readBackOk = state.rows.every((row) => row.key && readBackMatches(row.key.check, row.typedCheck));

  return (
    <section aria-labelledby="ceremony-title" className="screen ceremony">
      <h1 id="ceremony-title">{t('nav.ceremony')}</h1>
      <ol className="steps" aria-label={t('ceremony.stepsLabel')}>
        {WIZARD_STEPS.map((name, index) => (
          <li key={name} aria-current={name === step ? 'step' : undefined} className={index < stepIndex ? 'done' : undefined}>
            {t(`ceremony.step.${name}`)}
          </li>
        ))}
      </ol>
      <ErrorBanner error={error} />

      {step === 'params' && (
        <div className="step" data-step="params">
          <h2>{t('ceremony.step.params')}</h2>
          <PlanLoader onLoaded={loadPlan} />
          <p>{t('ceremony.paramsHelp')}</p>
          {state.rows.map((row, index) => (
            <PathField
              key={index}
              label={t('ceremony.paramsFile', { n: index + 1 })}
              purpose="params-files"
              value={row.paramsPath}
              onChange={(path) => patchRow(index, { paramsPath: path })}
              onDropMany={(paths) =>
                setState((previous) => ({
                  ...previous,
                  rows: [...previous.rows.filter((r) => r.paramsPath), ...paths.map((path) => ({ paramsPath: path, spec: 'AES_256' as const, algorithm: '' as const, alias: '', typedCheck: '' }))],
                }))
              }
            />
          ))}
          <div className="actions">
            <button type="button" onClick={() => setState((previous) => ({ ...previous, rows: [...previous.rows, { paramsPath: '', spec: 'AES_256', algorithm: '', alias: '', typedCheck: '' }] }))}>
              {t('ceremony.addParams')}
            </button>
            <button type="button" className="primary" disabled={busy} onClick={() => void inspectAll()}>
              {t('ceremony.inspect')}
            </button>
          </div>
          <WrapRequestFile />
        </div>
      )}

      {step === 'keys' && (
        <div className="step" data-step="keys">
          <h2>{t('ceremony.step.keys')}</h2>
          {state.rows.map((row, index) => {
            const allowed = row.params ? (Object.keys(row.params.algorithmsAllowed) as KeySpecName[]) : [...KEY_SPEC_NAMES];
            const left = row.params?.secondsLeft;
            return (
              <fieldset key={row.paramsPath} className="key-row-form">
                <legend>{row.paramsPath}</legend>
                {row.params && (
                  <p className="params-summary" data-testid="params-summary">
                    {t('ceremony.paramsSummary', {
                      provider: row.params.provider,
                      remote: row.params.remoteKeyId ?? '—',
                      wrapping: `${row.params.wrappingKeySpec} (${row.params.wrappingKeyBits})`,
                      validTo: formatUtc(row.params.parametersValidTo),
                    })}
                    {left !== null && left !== undefined && ` — ${left < 0 ? t('ceremony.paramsExpired') : t('ceremony.paramsLeft', { left: formatCountdown(left).text })}`}
                    {row.params.warnings.map((warning) => (
                      <span key={warning} className="warning"> ⚠ {warning}</span>
                    ))}
                  </p>
                )}
                <SelectField
                  label={t('ceremony.spec')}
                  value={row.spec}
                  onChange={(value) => patchRow(index, { spec: value as KeySpecName, algorithm: defaultAlgorithm({ ...row, spec: value as KeySpecName }) })}
                  options={allowed.map((name) => ({ value: name, label: name }))}
                />
                {row.params && (
                  <SelectField
                    label={t('ceremony.algorithm')}
                    value={row.algorithm}
                    onChange={(value) => patchRow(index, { algorithm: value as CeremonyRow['algorithm'] })}
                    options={algorithmsFor(row).map((name) => ({ value: name, label: name }))}
                  />
                )}
                <Field label={t('ceremony.alias')} value={row.alias} required pattern="[a-zA-Z0-9:/_\-]{1,255}" hint={t('ceremony.aliasHint')} onChange={(event) => patchRow(index, { alias: event.target.value })} />
              </fieldset>
            );
          })}
          <Field label={t('ceremony.operator')} value={state.operator} onChange={(event) => setState({ ...state, operator: event.target.value })} />
          <Field label={t('ceremony.witnesses')} hint={t('ceremony.witnessesHint')} value={state.witnesses} onChange={(event) => setState({ ...state, witnesses: event.target.value })} />
          <div className="actions">
            <button type="button" onClick={() => go('params')}>{t('action.back')}</button>
            <button type="button" className="primary" disabled={state.rows.some((row) => !/^[a-zA-Z0-9:/_-]{1,255}$/.test(row.alias))} onClick={() => go('offline')}>
              {t('action.next')}
            </button>
          </div>
        </div>
      )}

      {step === 'offline' && (
        <div className="step" data-step="offline">
          <h2>{t('ceremony.step.offline')}</h2>
          <button type="button" disabled={busy} onClick={() => void checkOffline()}>{t('ceremony.runOfflineCheck')}</button>
          {offline && (
            <div role="status" className={offline.offline ? 'ok' : 'warning'} data-testid="offline-result">
              {offline.offline ? t('ceremony.offlineOk') : t('ceremony.offlineWarn', { interfaces: offline.interfaces.map((nic) => `${nic.name} (${nic.addresses.join(', ')})`).join('; ') })}
            </div>
          )}
          {offline && !offline.offline && (
            <label className="checkbox">
              <input type="checkbox" checked={state.offlineAcknowledged} onChange={(event) => setState({ ...state, offlineAcknowledged: event.target.checked })} />
              {t('ceremony.offlineAcknowledge')}
            </label>
          )}
          <div className="actions">
            <button type="button" onClick={() => go('keys')}>{t('action.back')}</button>
            <button type="button" className="primary" disabled={!offline || (!offline.offline && !state.offlineAcknowledged)} onClick={() => go('generate')}>
              {t('action.next')}
            </button>
          </div>
        </div>
      )}

      {step === 'generate' && (
        <div className="step" data-step="generate">
          <h2>{t('ceremony.step.generate')}</h2>
          <fieldset>
            <legend>{t('ceremony.operatorEntropy')}</legend>
            <Field
              label={t('ceremony.diceRolls')}
              hint={t('ceremony.diceRollsHint')}
              type="password"
              inputMode="numeric"
              autoComplete="off"
              value={state.diceRolls}
              aria-invalid={!/^[1-6\s]*$/.test(state.diceRolls)}
              onChange={(event) => setState({ ...state, diceRolls: event.target.value })}
            />
            <PathField label={t('ceremony.entropyFile')} purpose="entropy-files" value={state.entropyFile} onChange={(path) => setState({ ...state, entropyFile: path })} />
          </fieldset>
          <button type="button" className="primary" disabled={busy || state.rows.every((row) => row.key) || !/^[1-6\s]*$/.test(state.diceRolls)} onClick={() => void generate()}>
            {t('ceremony.generate', { count: state.rows.length })}
          </button>
          {(busy || generateProgress) && <ProgressBar progress={generateProgress} label={t('ceremony.step.generate')} cancellable="generateKeys" />}
          {entropyHealth(state.rows) && (
            <div role="status" className={entropyHealth(state.rows) === 'passed' ? 'ok' : 'warning'} data-testid="entropy-health">
              {entropyHealth(state.rows) === 'passed' ? t('ceremony.entropyOk') : t('ceremony.entropyFailed')}
            </div>
          )}
          <ul className="generated">
            {state.rows.filter((row) => row.key).map((row) => (
              <li key={row.key!.id}>
                {row.alias} — {row.spec} — <CheckValue check={row.key!.check} full />
                <ul className="entropy-sources">
                  {row.entropy?.sources.map((source) => (
                    <li key={`${source.kind}-${source.label}`}>
                      {row.entropy!.healthPassed ? '✓' : '✗'} {source.kind}: {source.label} ({source.bytes} B)
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
          <div className="actions">
            <button type="button" className="primary" disabled={!state.rows.every((row) => row.key) || entropyHealth(state.rows) === 'failed'} onClick={() => go('kcv')}>{t('action.next')}</button>
          </div>
        </div>
      )}

      {step === 'kcv' && (
        <div className="step" data-step="kcv">
          <h2>{t('ceremony.step.kcv')}</h2>
          <p>{t('ceremony.kcvHelp')}</p>
          {state.rows.map((row, index) => {
            const typed = row.typedCheck.trim();
            const mismatch = typed.length >= expectedReadBack(row.key!.check).length && !readBackMatches(row.key!.check, typed);
            return (
              <div key={row.key!.id} className="kcv-row">
                <p>{row.alias}: <CheckValue check={row.key!.check} full /></p>
                <Field
                  label={row.key!.check.kind === 'kcv' ? t('ceremony.typeKcv', { alias: row.alias }) : t('ceremony.typeFingerprint', { alias: row.alias })}
                  value={row.typedCheck}
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={mismatch}
                  onChange={(event) => patchRow(index, { typedCheck: event.target.value })}
                />
                {mismatch && <p role="alert" className="error-inline">{t('ceremony.kcvMismatch')}</p>}
              </div>
            );
          })}
          <div className="actions">
            <button type="button" className="primary" disabled={!readBackOk || busy} onClick={() => void confirmReadBack()}>
              {t('ceremony.kcvConfirm')}
            </button>
          </div>
        </div>
      )}

      {step === 'backup' && (
        <div className="step" data-step="backup">
          <h2>{t('ceremony.step.backup')}</h2>
          <button type="button" disabled={busy} onClick={() => void verifyBackups()}>{t('ceremony.verifyBackups')}</button>
          <ul>
            {state.rows.map((row) => (
              <li key={row.key!.id} data-testid="backup-state">
                {row.alias}: {row.backupVerified === undefined ? t('backup.unverified') : row.backupVerified ? t('backup.verified') : t('backup.missing')}
              </li>
            ))}
          </ul>
          <div className="actions">
            <button type="button" className="primary" disabled={!state.rows.every((row) => row.backupVerified)} onClick={() => go('wrap')}>{t('action.next')}</button>
          </div>
        </div>
      )}

      {step === 'wrap' && (
        <div className="step" data-step="wrap">
          <h2>{t('ceremony.step.wrap')}</h2>
          <PathField label={t('ceremony.outDir')} purpose="output-folder" value={state.outDir} onChange={(path) => setState({ ...state, outDir: path })} />
          <Field label={t('ceremony.materialExpiry')} hint={t('ceremony.materialExpiryHint')} value={state.materialExpiry} placeholder="2027-11-25T00:00:00Z" onChange={(event) => setState({ ...state, materialExpiry: event.target.value })} />
          <div className="actions">
            <button type="button" className="primary" disabled={busy || !state.outDir.trim()} onClick={() => void wrapAll()}>{t('ceremony.wrap')}</button>
          </div>
        </div>
      )}

      {step === 'summary' && (
        <div className="step" data-step="summary">
          <h2>{t('ceremony.step.summary')}</h2>
          <table className="plain" data-testid="summary-files">
            <caption>{t('ceremony.filesWritten')}</caption>
            <thead><tr><th>{t('ceremony.file')}</th><th>SHA-256</th></tr></thead>
            <tbody>
              {allFiles(state.rows).map((file) => (
                <tr key={file.path}><td><code>{file.path}</code></td><td><code className="sha">{file.sha256}</code></td></tr>
              ))}
            </tbody>
          </table>
          {state.rows.flatMap((row) => row.wrap?.warnings ?? []).map((warning) => <p key={warning} className="warning">⚠ {warning}</p>)}
          <button type="button" onClick={() => { setState(newState()); setOffline(undefined); go('params'); }}>{t('ceremony.startAnother')}</button>
        </div>
      )}
    </section>
  );
}
