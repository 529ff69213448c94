// Shows the core's typed error: its code and its message (which says what to do).
import { useTranslation } from 'react-i18next';
import type { CallError } from '../api/call.ts';

export function ErrorBanner({ error }: { error: CallError | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div role="alert" className="error-banner" data-code={error.code}>
      <strong>{t('error.title')}</strong> <code>{error.code}</code>
      <p>{error.message}</p>
    </div>
  );
}
