// "Delete imported material", per bound key: the app's face of `byok remote delete-material`. It stops
// the remote key working, so it sits behind a dialog where the alias is typed back; the core's typed
// refusal (e.g. a provider that cannot delete an asymmetric key's material) is shown as it comes.
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KeySummary, RemoteBindingSummary } from '../../shared/ceremony-api.ts';
import { call } from '../api/call.ts';
import { useAction } from '../api/hooks.ts';
import { ErrorBanner } from '../components/error-banner.tsx';
import { Field } from '../components/field.tsx';

interface Target {
  key: KeySummary;
  binding: RemoteBindingSummary;
}

export function DeleteMaterial({ keys, onChanged }: { keys: KeySummary[]; onChanged: () => void }) {
  const { t } = useTranslation();
  const [target, setTarget] = useState<Target>();
  const [done, setDone] = useState<{ alias: string; provider: string; state: string }>();
  const triggers = useRef(new Map<string, HTMLButtonElement>());
  const bound = keys.flatMap((key) => key.remote.map((binding) => ({ key, binding })));
  const remove = useAction(async (chosen: Target) => {
    const reply = await call('deleteMaterial', { keyId: chosen.key.id, provider: chosen.binding.provider });
    setDone({ alias: chosen.key.alias, provider: reply.provider, state: t(`remoteState.${reply.state}`) });
    onChanged();
    return reply;
  });
  const idOf = ({ key, binding }: Target) => `${key.id}@${binding.provider}`;
  const close = () => {
    const trigger = target && triggers.current.get(idOf(target));
    setTarget(undefined);
    trigger?.focus(); // keyboard users land back where they were
  };

  return (
    <section aria-labelledby="delete-material-title" className="card">
      <h2 id="delete-material-title">{t('deleteMaterial.title')}</h2>
      <p>{t('deleteMaterial.help')}</p>
      {bound.length === 0 ? (
        <p>{t('deleteMaterial.none')}</p>
      ) : (
        <ul data-testid="bound-keys">
          {bound.map((entry) => (
            <li key={idOf(entry)}>
              {entry.key.alias} @ {entry.binding.provider} · <code>{entry.binding.remoteKeyId}</code> · {t(`remoteState.${entry.binding.state}`)}{' '}
              <button
                type="button"
                className="danger"
                ref={(element) => {
                  if (element) triggers.current.set(idOf(entry), element);
                  else triggers.current.delete(idOf(entry));
                }}
                onClick={() => {
                  remove.reset();
                  setDone(undefined);
                  setTarget(entry);
                }}
              >
                {t('deleteMaterial.button', { alias: entry.key.alias, provider: entry.binding.provider })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {!target && <ErrorBanner error={remove.error} />}
      {done && <p role="status" data-testid="delete-material-result">{t('deleteMaterial.deleted', done)}</p>}
      {target && (
        <ConfirmDelete
          target={target}
          busy={remove.busy}
          error={remove.error}
          onCancel={close}
          onConfirm={async () => {
            const reply = await remove.run(target);
            if (reply) close();
          }}
        />
      )}
    </section>
  );
}

function ConfirmDelete({
  target,
  busy,
  error,
  onCancel,
  onConfirm,
}: {
  target: Target;
  busy: boolean;
  error: ReturnType<typeof useAction>['error'];
  onCancel: () => void;
  onConfirm: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const titleId = useId();
  const bodyId = useId();
  const [typed, setTyped] = useState('');
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    dialog.current?.querySelector('input')?.focus();
  }, []);
  const matches = typed.trim() === target.key.alias;

  return (
    <div
      ref={dialog}
      role="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      className="dialog"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onCancel();
        }
      }}
    >
      <h3 id={titleId}>{t('deleteMaterial.dialogTitle', { alias: target.key.alias })}</h3>
      <p id={bodyId}>{t('deleteMaterial.dialogBody', { remote: target.binding.remoteKeyId, provider: target.binding.provider })}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (matches && !busy) void onConfirm();
        }}
      >
        <Field
          label={t('deleteMaterial.typeAlias', { alias: target.key.alias })}
          value={typed}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => setTyped(event.target.value)}
        />
        <ErrorBanner error={error} />
        <div className="actions">
          <button type="button" onClick={onCancel}>{t('action.cancel')}</button>
          <button type="submit" className="danger" disabled={!matches || busy}>{t('deleteMaterial.confirm')}</button>
        </div>
      </form>
    </div>
  );
}
