// Progress of one long call, fed by window.byok.onProgress, with a cancel button where cancelling is safe.
import { useTranslation } from 'react-i18next';
import type { IpcProgressEvent, LongChannelName } from '../../shared/ipc.ts';
import { call } from '../api/call.ts';

export function ProgressBar({
  progress,
  label,
  cancellable,
}: {
  progress: IpcProgressEvent | undefined;
  label: string;
  cancellable?: LongChannelName;
}) {
  const { t } = useTranslation();
  const total = progress?.total ?? 0;
  const done = progress?.done ?? 0;
  return (
    <div className="progress">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total || 1}
        aria-valuenow={done}
        aria-valuetext={progress ? `${done} / ${total} ${progress.message}` : t('progress.waiting')}
        className="progress-track"
      >
        <div className="progress-fill" style={{ width: total ? `${Math.min(100, (done / total) * 100)}%` : '0%' }} />
      </div>
      <span className="progress-text">{progress ? `${done} / ${total} — ${progress.message}` : t('progress.waiting')}</span>
      {cancellable && (
        <button type="button" onClick={() => void call('cancel', { operation: cancellable })}>
          {t('action.cancel')}
        </button>
      )}
    </div>
  );
}
