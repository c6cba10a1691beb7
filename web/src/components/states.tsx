import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';

/** A loading placeholder. */
export function Loading() {
  const { t } = useTranslation();
  return (
    <div className="state state-loading" role="status" aria-busy="true">
      {t('common.loading')}
    </div>
  );
}

/** What a list shows when it has nothing. */
export function Empty(props: { children?: ReactNode }) {
  const { t } = useTranslation();
  return <div className="state state-empty">{props.children ?? t('common.empty')}</div>;
}

/** The message of an error: API errors by their code, translated; others generically. */
export function useErrorText(): (error: unknown) => string {
  const { t, i18n } = useTranslation();
  return (error: unknown) => {
    if (ApiError.isInstance(error)) {
      const key = `errors.${error.code}`;
      return i18n.exists(key) ? t(key) : t('errors.internal');
    }
    return t('errors.network');
  };
}

/** An error box for a failed load or action. */
export function ErrorMessage(props: { error: unknown }) {
  const text = useErrorText();
  const code = ApiError.isInstance(props.error) ? props.error.code : 'network';
  return (
    <div className="state state-error" role="alert" data-code={code}>
      {text(props.error)}
    </div>
  );
}
