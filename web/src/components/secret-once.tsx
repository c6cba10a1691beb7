import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import './admin-forms.css';

/**
 * A secret the API gives once (a new API key, a webhook's signing secret): shown in full with a
 * copy button and a plain warning, until the operator closes it; never fetched again.
 */
export function SecretOnce(props: { title: string; secret: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied(true);
    } catch {
      // No clipboard (an insecure origin): the secret stays selectable on screen.
      setCopied(false);
    }
  };
  return (
    <div className="panel secret-once" role="status" data-testid="secret-once">
      <strong>{props.title}</strong>
      <p className="mono secret-value" data-testid="secret-value">
        {props.secret}
      </p>
      <p className="state-error">{t('admin.shownOnce')}</p>
      <div className="actions">
        <button type="button" onClick={() => void copy()} data-testid="secret-copy">
          {copied ? t('admin.copied') : t('admin.copy')}
        </button>
        <button type="button" className="primary" onClick={props.onDone}>
          {t('admin.done')}
        </button>
      </div>
    </div>
  );
}
