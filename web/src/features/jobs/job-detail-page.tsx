import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type BulkJob, FINISHED_STATES, getBulkJob, listBulkJobs } from '../../api/bulk-api.js';
import { api, unwrap } from '../../api/client.js';
import '../../components/admin-forms.css';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatInstant } from '../../format.js';

const ITEM_STATES = ['failed', 'pending', 'sending', 'skipped', 'done'] as const;
type ItemState = (typeof ITEM_STATES)[number];

/** Cards the job left failed or never ran: what a retry takes. */
function retryable(job: BulkJob): number {
  return job.failed + Math.max(0, job.total - job.done - job.skipped - job.failed);
}

function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A job's parameters, how its cards were chosen, and the job it retries. */
function JobFacts(props: { job: BulkJob; retries: BulkJob[] }) {
  const { t, i18n } = useTranslation();
  const { job } = props;
  const retryOf = typeof job.selection.retryOf === 'number' ? job.selection.retryOf : null;
  const params = Object.entries(job.params);
  return (
    <div className="panel job-facts">
      <dl className="facts">
        <div>
          <dt>{t('jobs.action')}</dt>
          <dd>{t(`actions.${job.action}`, { defaultValue: job.action })}</dd>
        </div>
        <div>
          <dt>{t('jobs.createdBy')}</dt>
          <dd>{job.createdBy}</dd>
        </div>
        <div>
          <dt>{t('jobs.createdAt')}</dt>
          <dd>{formatInstant(job.createdAt, i18n.language)}</dd>
        </div>
        <div>
          <dt>{t('syncRuns.started')}</dt>
          <dd>{formatInstant(job.startedAt, i18n.language)}</dd>
        </div>
        {retryOf !== null ? (
          <div>
            <dt>{t('admin.retryOf')}</dt>
            <dd>
              <Link to="/jobs/$jobId" params={{ jobId: retryOf }}>
                #{retryOf}
              </Link>
            </dd>
          </div>
        ) : null}
        {props.retries.length > 0 ? (
          <div>
            <dt>{t('admin.retriedAs')}</dt>
            <dd data-testid="job-retries">
              {props.retries.map((retry) => (
                <Link key={retry.id} to="/jobs/$jobId" params={{ jobId: retry.id }}>
                  #{retry.id}{' '}
                </Link>
              ))}
            </dd>
          </div>
        ) : null}
      </dl>
      <dl className="facts" data-testid="job-params">
        <div>
          <dt>{t('admin.params')}</dt>
          <dd>{params.length === 0 ? t('admin.noParams') : null}</dd>
        </div>
        {params.map(([key, value]) => (
          <div key={key}>
            <dt>{t(`admin.paramNames.${key}`, { defaultValue: key })}</dt>
            <dd className="mono">{valueText(value)}</dd>
          </div>
        ))}
        {Object.entries(job.selection)
          .filter(([key]) => key !== 'retryOf')
          .map(([key, value]) => (
            <div key={key}>
              <dt>
                {t('admin.selection')} · {t(`admin.selectionNames.${key}`, { defaultValue: key })}
              </dt>
              <dd className="mono">{valueText(value)}</dd>
            </div>
          ))}
      </dl>
    </div>
  );
}

/** The job's cards one page at a time, filtered by outcome. */
function JobItems(props: { job: BulkJob }) {
  const { t, i18n } = useTranslation();
  const [state, setState] = useState<ItemState | ''>('');
  const running = !FINISHED_STATES.has(props.job.state);
  const items = useInfiniteQuery({
    queryKey: ['job-items', props.job.id, state],
    initialPageParam: 0,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/jobs/{id}/items', {
          params: {
            path: { id: props.job.id },
            query: { limit: 100, after: pageParam, ...(state ? { state } : {}) },
          },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    refetchInterval: running ? 2000 : false,
  });
  const rows = items.data?.pages.flatMap((page) => page.items) ?? [];
  const reason = (code: string | null) =>
    code === null
      ? ''
      : t(`admin.itemCodes.${code}`, { defaultValue: t(`errors.${code}`, { defaultValue: code }) });
  return (
    <>
      <div className="page-head">
        <h2>{t('admin.items')}</h2>
        <label>
          {t('admin.outcome')}{' '}
          <select
            value={state}
            data-testid="job-items-state"
            onChange={(event) => setState(event.target.value as ItemState | '')}
          >
            <option value="">{t('admin.allOutcomes')}</option>
            {ITEM_STATES.map((entry) => (
              <option key={entry} value={entry}>
                {t(`admin.itemStates.${entry}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {items.isPending ? (
        <Loading />
      ) : items.isError ? (
        <ErrorMessage error={items.error} />
      ) : rows.length === 0 ? (
        <Empty>{t('admin.noItems')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="job-items">
            <thead>
              <tr>
                <th>{t('admin.card')}</th>
                <th>{t('admin.account')}</th>
                <th>{t('admin.outcome')}</th>
                <th>{t('admin.reason')}</th>
                <th>{t('admin.supplierCode')}</th>
                <th>{t('admin.attempts')}</th>
                <th>{t('admin.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((item) => (
                <tr key={item.id} data-state={item.state}>
                  <td>
                    <Link to="/cards/$cardId" params={{ cardId: item.cardId }}>
                      {item.cardId}
                    </Link>
                  </td>
                  <td>{item.account}</td>
                  <td>
                    <span className={`badge badge-item-${item.state}`}>
                      {t(`admin.itemStates.${item.state}`, { defaultValue: item.state })}
                    </span>
                  </td>
                  <td>
                    {reason(item.code)}
                    {item.message ? <span className="muted"> · {item.message}</span> : null}
                  </td>
                  <td className="mono">{item.supplierCode ?? ''}</td>
                  <td>{item.attempts}</td>
                  <td>{formatInstant(item.updatedAt, i18n.language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {items.hasNextPage ? (
        <button
          type="button"
          disabled={items.isFetchingNextPage}
          onClick={() => void items.fetchNextPage()}
        >
          {t('admin.more')}
        </button>
      ) : null}
    </>
  );
}

/** One bulk job: its parameters, progress, per-card results; cancel, and retry what failed. */
export function JobDetailPage(props: { id: number }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [asking, setAsking] = useState<'cancel' | 'retry' | null>(null);
  const job = useQuery({
    queryKey: ['job', props.id],
    queryFn: () => getBulkJob(props.id),
    refetchInterval: (query) =>
      query.state.data && FINISHED_STATES.has(query.state.data.state) ? false : 1000,
  });
  const jobs = useQuery({ queryKey: ['jobs'], queryFn: listBulkJobs });
  const cancel = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/jobs/{id}/cancel', { params: { path: { id: props.id } } })),
    onSuccess: () => {
      setAsking(null);
      void client.invalidateQueries({ queryKey: ['job', props.id] });
      void client.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
  const retry = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/jobs/{id}/retry', { params: { path: { id: props.id } } })),
    onSuccess: (answer) => {
      setAsking(null);
      void client.invalidateQueries({ queryKey: ['jobs'] });
      void navigate({ to: '/jobs/$jobId', params: { jobId: answer.job.id } });
    },
  });
  const heading = (
    <div className="page-head">
      <h1>{t('admin.jobTitle', { id: props.id })}</h1>
      <Link to="/jobs">{t('admin.allJobs')}</Link>
    </div>
  );
  if (job.isPending) return heading;
  if (job.isError) {
    return (
      <section>
        {heading}
        <ErrorMessage error={job.error} />
      </section>
    );
  }
  const data = job.data;
  const settled = data.done + data.skipped + data.failed;
  const percent = data.total > 0 ? Math.round((settled / data.total) * 100) : 100;
  const finished = FINISHED_STATES.has(data.state);
  const again = retryable(data);
  const retries = (jobs.data ?? []).filter((entry) => entry.selection.retryOf === data.id);
  return (
    <section>
      {heading}
      <div className="panel job-progress" data-testid="job-detail" data-state={data.state}>
        <div className="job-progress-line">
          <span className={`badge badge-job-${data.state}`}>{t(`jobs.states.${data.state}`)}</span>{' '}
          <span>
            {t('jobs.counts', {
              settled,
              total: data.total,
              done: data.done,
              skipped: data.skipped,
              failed: data.failed,
            })}
          </span>
        </div>
        <progress max={100} value={percent} aria-label={t('jobs.progress')} />
        <div className="actions">
          {finished ? null : (
            <button type="button" onClick={() => setAsking('cancel')} data-testid="job-cancel">
              {t('admin.cancelJob')}
            </button>
          )}
          {/* A job is retried once: once retried, its retry holds what is left to retry. */}
          {finished && again > 0 && retries.length === 0 ? (
            <button
              type="button"
              className="primary"
              onClick={() => setAsking('retry')}
              data-testid="job-retry"
            >
              {t('admin.retry')} ({again})
            </button>
          ) : null}
        </div>
        {cancel.isError ? <ErrorMessage error={cancel.error} /> : null}
        {retry.isError ? <ErrorMessage error={retry.error} /> : null}
      </div>
      {asking === 'cancel' ? (
        <ConfirmDialog
          title={t('admin.cancelTitle', { id: data.id })}
          confirmLabel={t('admin.cancelJob')}
          busy={cancel.isPending}
          onConfirm={() => cancel.mutate()}
          onCancel={() => setAsking(null)}
        >
          {t('admin.cancelBody')}
        </ConfirmDialog>
      ) : null}
      {asking === 'retry' ? (
        <ConfirmDialog
          title={t('admin.retryTitle', { id: data.id })}
          confirmLabel={t('admin.retry')}
          busy={retry.isPending}
          onConfirm={() => retry.mutate()}
          onCancel={() => setAsking(null)}
        >
          {t('admin.retryBody', {
            action: t(`actions.${data.action}`, { defaultValue: data.action }),
            count: again,
          })}
        </ConfirmDialog>
      ) : null}
      <JobFacts job={data} retries={retries} />
      <JobItems key={data.id} job={data} />
    </section>
  );
}

/** `/jobs/42`. */
export function JobDetailRoute() {
  const { jobId } = useParams({ from: '/jobs/$jobId' });
  return <JobDetailPage key={jobId} id={jobId} />;
}
