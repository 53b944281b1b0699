import { useTranslation } from 'react-i18next';
import { errorText } from '../lib/errors';

/** An error sentence for the user, with an optional retry. */
export function ErrorLine({ error, onRetry, testId }: { error: unknown; onRetry?: () => void; testId?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="error-line" role="alert" data-testid={testId}>
      <span>{errorText(t, error)}</span>
      {onRetry ? (
        <button type="button" className="link-button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}
