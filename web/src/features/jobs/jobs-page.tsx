import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { FINISHED_STATES, listBulkJobs } from '../../api/bulk-api.js';
import '../../components/admin-forms.css';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatInstant } from '../../format.js';

/** Bulk jobs, refreshed while any is still running. */
export function JobsPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const jobs = useQuery({
    queryKey: ['jobs'],
    queryFn: listBulkJobs,
    refetchInterval: (query) =>
      query.state.data?.some((job) => !FINISHED_STATES.has(job.state)) ? 2000 : false,
  });
  return (
    <section>
      <h1>{t('nav.jobs')}</h1>
      {jobs.isPending ? (
        <Loading />
      ) : jobs.isError ? (
        <ErrorMessage error={jobs.error} />
      ) : jobs.data.length === 0 ? (
        <Empty>{t('jobs.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="jobs-table">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('jobs.action')}</th>
                <th>{t('jobs.state')}</th>
                <th>{t('jobs.progress')}</th>
                <th>{t('jobs.createdBy')}</th>
                <th>{t('jobs.createdAt')}</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.map((job) => (
                <tr
                  key={job.id}
                  className="clickable"
                  onClick={() => void navigate({ to: '/jobs/$jobId', params: { jobId: job.id } })}
                >
                  <td>
                    <Link to="/jobs/$jobId" params={{ jobId: job.id }}>
                      {job.id}
                    </Link>
                  </td>
                  <td>{t(`actions.${job.action}`, { defaultValue: job.action })}</td>
                  <td>
                    <span className={`badge badge-job-${job.state}`}>
                      {t(`jobs.states.${job.state}`)}
                    </span>
                  </td>
                  <td>
                    {t('jobs.counts', {
                      settled: job.done + job.skipped + job.failed,
                      total: job.total,
                      done: job.done,
                      skipped: job.skipped,
                      failed: job.failed,
                    })}
                  </td>
                  <td>{job.createdBy}</td>
                  <td>{formatInstant(job.createdAt, i18n.language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
