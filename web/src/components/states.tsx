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

/**
 * The request fields an error names: zod's `{fields: [{path}]}`, or a service's `{field}` (a
 * webhook host that does not resolve names `url`). Identifiers, shown as they are in both languages.
 */
function errorFields(details: Record<string, unknown>): string[] {
  if (Array.isArray(details.fields)) {
    const paths = details.fields.map((field) =>
      typeof field === 'object' && field !== null && 'path' in field ? String(field.path) : '',
    );
    return [...new Set(paths.filter((path) => path !== ''))];
  }
  return typeof details.field === 'string' ? [details.field] : [];
}

/** The message of an error: API errors by their code, translated; others generically. */
export function useErrorText(): (error: unknown) => string {
  const { t, i18n } = useTranslation();
  return (error: unknown) => {
    if (ApiError.isInstance(error)) {
      const key = `errors.${error.code}`;
      const text = i18n.exists(key) ? t(key) : t('errors.internal');
      const fields = errorFields(error.details);
      return fields.length > 0
        ? `${text} ${t('errors.fields', { fields: fields.join(', ') })}`
        : text;
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
