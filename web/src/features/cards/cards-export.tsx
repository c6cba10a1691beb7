import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type CardExport,
  type CardExportRequest,
  cancelCardExport,
  FINISHED_EXPORT_STATES,
  getCardExport,
  listCardExports,
  startCardExport,
} from '../../api/card-exports-api.js';
import { ErrorMessage } from '../../components/states.js';
import { formatBytes, formatCount, formatInstant } from '../../format.js';

type Format = 'csv' | 'xlsx';

/** Badge colours of the job states (styles.css `badge-job-*`) for an export's states. */
const BADGE: Record<CardExport['state'], string> = {
  pending: 'running',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'failed',
  expired: 'partial',
};

/**
 * An export job's live progress (polled every second until it ends): rows written of the
 * count, a cancel while it runs, and the download once the file is ready.
 */
function ExportProgress(props: { exportId: number }) {
  const { t, i18n } = useTranslation();
  const job = useQuery({
    queryKey: ['card-export', props.exportId],
    queryFn: () => getCardExport(props.exportId),
    refetchInterval: (query) =>
      query.state.data && FINISHED_EXPORT_STATES.has(query.state.data.state) ? false : 1000,
  });
  const cancel = useMutation({
    mutationFn: () => cancelCardExport(props.exportId),
    onSuccess: () => job.refetch(),
  });
  if (job.isError) return <ErrorMessage error={job.error} />;
  if (!job.data) return <span>{t('cardExports.starting')}</span>;
  const item = job.data;
  const live = !FINISHED_EXPORT_STATES.has(item.state);
  const total = item.total ?? null;
  const percent =
    item.state === 'succeeded'
      ? 100
      : total
        ? Math.round((item.rows / Math.max(total, 1)) * 100)
        : 0;
  const locale = i18n.language;
  return (
    <div
      className="job-progress cards-export-job"
      data-testid="cards-export-job"
      data-state={item.state}
    >
      <div className="job-progress-line">
        <strong>
          {t('cardExports.job')} #{item.id}
        </strong>{' '}
        <span className={`badge badge-job-${BADGE[item.state]}`}>
          {t(`cardExports.states.${item.state}`)}
        </span>{' '}
        <span data-testid="cards-export-progress" aria-live="polite">
          {total !== null
            ? t('cardExports.rows', {
                rows: formatCount(item.rows, locale),
                total: formatCount(total, locale),
              })
            : t('cardExports.rowsOpen', { rows: formatCount(item.rows, locale) })}
        </span>{' '}
        {live ? (
          <button
            type="button"
            data-testid="cards-export-cancel"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate()}
          >
            {t('cardExports.cancel')}
          </button>
        ) : null}
        {item.state === 'succeeded' && item.download ? (
          <>
            <a
              className="button"
              data-testid="cards-export-download"
              href={item.download}
              download={item.fileName}
            >
              {t('cardExports.download')}
            </a>{' '}
            <span>
              {t('cardExports.ready', {
                size: formatBytes(item.bytes),
                date: formatInstant(item.expiresAt, locale),
              })}
            </span>
          </>
        ) : null}
        {item.state === 'failed' && item.writerStopped ? (
          <span data-testid="export-writer-stopped">{t('cardExports.writerStopped')}</span>
        ) : item.state === 'failed' && item.error ? (
          <span>{item.error}</span>
        ) : null}
      </div>
      <progress max={100} value={percent} aria-label={t('jobs.progress')} />
      {cancel.isError ? <ErrorMessage error={cancel.error} /> : null}
    </div>
  );
}

/**
 * Exports every card matching the page's filters (not only the page shown) as a job on the
 * server (`POST /api/v1/cards/exports`): the file is written there, whatever the count, while
 * this shows its progress; it is then downloaded from the job.
 */
export function CardsExport(props: {
  /** The list's filters, sort and order as API query parameters. */
  query: Record<string, string | number>;
  total: number | null;
}) {
  const { t } = useTranslation();
  const [exportId, setExportId] = useState<number | null>(null);
  const start = useMutation({
    mutationFn: (format: Format) =>
      startCardExport({ ...(props.query as Partial<CardExportRequest>), format }),
    onSuccess: (created) => setExportId(created.id),
  });
  // An export still running from before (a reload, another tab) is shown again.
  const latest = useQuery({
    queryKey: ['card-exports', 'latest'],
    queryFn: () => listCardExports(1),
    staleTime: Number.POSITIVE_INFINITY,
  });
  useEffect(() => {
    const newest = latest.data?.[0];
    if (newest && !FINISHED_EXPORT_STATES.has(newest.state)) {
      setExportId((shown) => shown ?? newest.id);
    }
  }, [latest.data]);
  const current = useQuery({
    queryKey: ['card-export', exportId],
    queryFn: () => getCardExport(exportId as number),
    enabled: exportId !== null,
  });
  const busy =
    start.isPending ||
    (exportId !== null &&
      current.data !== undefined &&
      !FINISHED_EXPORT_STATES.has(current.data.state));

  return (
    <div className="cards-export" data-testid="cards-export">
      <button type="button" disabled={busy} onClick={() => start.mutate('csv')}>
        {t('cards.export.csv')}
      </button>
      <button type="button" disabled={busy} onClick={() => start.mutate('xlsx')}>
        {t('cards.export.xlsx')}
      </button>
      {exportId !== null ? <ExportProgress key={exportId} exportId={exportId} /> : null}
      {start.isError ? <ErrorMessage error={start.error} /> : null}
    </div>
  );
}
