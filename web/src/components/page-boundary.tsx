import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';
import { ErrorMessage } from './states.js';

/** What a page that failed to render shows in its place: the shell and navigation stay. */
function PageFailed(props: { onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="state state-error" role="alert" data-testid="page-failed">
      <h1>{t('pageError.title')}</h1>
      <p>{t('pageError.body')}</p>
      <button type="button" onClick={props.onRetry}>
        {t('pageError.retry')}
      </button>
    </section>
  );
}

/**
 * The router's error component: an API error (a failed loader) shows its translated message, any
 * other error (a page that threw while rendering) the page-failed message with a retry.
 */
export function RouteError(props: { error: unknown; reset: () => void }) {
  if (ApiError.isInstance(props.error)) return <ErrorMessage error={props.error} />;
  return <PageFailed onRetry={props.reset} />;
}

interface PageBoundaryState {
  error: unknown;
}

/**
 * Catches an error thrown while rendering one page so that it cannot blank the whole console:
 * the page shows a message with a retry, the navigation keeps working. Keyed by the caller on the
 * location, so moving to another page starts it afresh.
 */
export class PageBoundary extends Component<{ children: ReactNode }, PageBoundaryState> {
  override state: PageBoundaryState = { error: null };

  static getDerivedStateFromError(error: unknown): PageBoundaryState {
    return { error: error ?? new Error('render failed') };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('page failed to render', error, info.componentStack);
  }

  override render() {
    if (this.state.error !== null) {
      return <PageFailed onRetry={() => this.setState({ error: null })} />;
    }
    return this.props.children;
  }
}
