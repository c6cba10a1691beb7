import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorFrom } from '../../api/client.js';
import { ErrorMessage } from '../../components/states.js';
import { formatBytes } from '../../format.js';

type Format = 'csv' | 'xlsx';

interface Progress {
  format: Format;
  bytes: number;
  /** CSV lines received (cards, once the header is off); null for .xlsx. */
  rows: number | null;
  done: boolean;
}

/**
 * Exports every card matching the page's filters (not only the page shown) from
 * `GET /api/v1/cards/export`, showing what has arrived while the server streams the file, then
 * saving it.
 */
export function CardsExport(props: {
  /** The list's filters, sort and order as API query parameters. */
  query: Record<string, string | number>;
  total: number | null;
}) {
  const { t } = useTranslation();
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const busy = progress !== null && !progress.done;

  const run = async (format: Format) => {
    setError(null);
    const state: Progress = { format, bytes: 0, rows: format === 'csv' ? 0 : null, done: false };
    setProgress({ ...state });
    try {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(props.query)) params.set(key, String(value));
      params.set('format', format);
      const response = await fetch(`/api/v1/cards/export?${params}`, {
        credentials: 'same-origin',
      });
      if (!response.ok || !response.body) throw await errorFrom(response);
      const chunks: Uint8Array[] = [];
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        state.bytes += value.byteLength;
        if (state.rows !== null) {
          for (const byte of value) if (byte === 10) state.rows += 1;
        }
        setProgress({ ...state });
      }
      // The header line is not a card.
      if (state.rows !== null) state.rows = Math.max(0, state.rows - 1);
      const name =
        /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
        `simdock-cards.${format}`;
      const url = URL.createObjectURL(
        new Blob(chunks as BlobPart[], { type: response.headers.get('content-type') ?? '' }),
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.click();
      URL.revokeObjectURL(url);
      setProgress({ ...state, done: true });
    } catch (caught) {
      setProgress(null);
      setError(caught);
    }
  };

  return (
    <div className="cards-export" data-testid="cards-export">
      <button type="button" disabled={busy} onClick={() => void run('csv')}>
        {t('cards.export.csv')}
      </button>
      <button type="button" disabled={busy} onClick={() => void run('xlsx')}>
        {t('cards.export.xlsx')}
      </button>
      {progress ? (
        <span data-testid="cards-export-progress" aria-live="polite">
          {progress.done
            ? progress.rows !== null
              ? t('cards.export.doneRows', { count: progress.rows })
              : t('cards.export.doneBytes', { size: formatBytes(progress.bytes) })
            : progress.rows !== null
              ? t('cards.export.rows', {
                  count: Math.max(0, progress.rows - 1),
                  total: props.total ?? '?',
                })
              : t('cards.export.bytes', { size: formatBytes(progress.bytes) })}
        </span>
      ) : null}
      {error ? <ErrorMessage error={error} /> : null}
    </div>
  );
}
