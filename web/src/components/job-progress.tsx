import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { type BulkJob, FINISHED_STATES, getBulkJob } from '../api/bulk-api.js';
import { ErrorMessage } from './states.js';

/** A job's live progress: polled every second until it finishes, then `onFinished` once. */
export function JobProgress(props: { jobId: number; onFinished?: (job: BulkJob) => void }) {
  const { t } = useTranslation();
  const job = useQuery({
    queryKey: ['job', props.jobId],
    queryFn: () => getBulkJob(props.jobId),
    refetchInterval: (query) =>
      query.state.data && FINISHED_STATES.has(query.state.data.state) ? false : 1000,
  });
  const finished = job.data ? FINISHED_STATES.has(job.data.state) : false;
  // Once per job: a caller's callback is often a new function on every render, and calling it
  // again would invalidate (and cancel) the very refetch it started.
  const notified = useRef<number | null>(null);
  const { onFinished } = props;
  useEffect(() => {
    if (!finished || !job.data || notified.current === job.data.id) return;
    notified.current = job.data.id;
    onFinished?.(job.data);
  }, [finished, job.data, onFinished]);

  if (job.isError) return <ErrorMessage error={job.error} />;
  if (!job.data) return null;
  const { total, done, skipped, failed, state } = job.data;
  const settled = done + skipped + failed;
  const percent = total > 0 ? Math.round((settled / total) * 100) : 100;
  return (
    <div className="job-progress" data-testid="job-progress" data-state={state}>
      <div className="job-progress-line">
        <strong>
          {t('jobs.job')} #{job.data.id}
        </strong>{' '}
        <span className={`badge badge-job-${state}`}>{t(`jobs.states.${state}`)}</span>{' '}
        <span>{t('jobs.counts', { settled, total, done, skipped, failed })}</span>
      </div>
      <progress max={100} value={percent} aria-label={t('jobs.progress')} />
    </div>
  );
}
