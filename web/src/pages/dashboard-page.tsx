import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { listAlerts } from '../api/card-extras-api.js';
import { api, unwrap } from '../api/client.js';
import { Chart } from '../components/chart.js';
import { Empty, ErrorMessage, Loading } from '../components/states.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatBytes, formatCount, formatInstant, toMegabytes } from '../format.js';
import { Link } from '../router.js';
import { CARD_STATUSES } from './cards-filters.js';

/** Counting cards per status reads at most this many rows per status (then shows "≥"). */
const STATUS_COUNT_LIMIT = 1000;

function lastMonths(count: number): string[] {
  const months: string[] = [];
  // CST (UTC+8) calendar months, as the suppliers count them.
  const now = new Date(Date.now() + 8 * 3600_000);
  for (let back = count - 1; back >= 0; back -= 1) {
    const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    months.push(date.toISOString().slice(0, 7));
  }
  return months;
}

/** The fleet at a glance: status, accounts, usage, top consumers, alerts, sync health. */
export function DashboardPage() {
  const { t, i18n } = useTranslation();
  const months = useMemo(() => lastMonths(6), []);
  const byStatus = useQueries({
    queries: CARD_STATUSES.map((status) => ({
      queryKey: ['dashboard-status', status],
      queryFn: () =>
        unwrap(
          api.GET('/api/v1/cards', {
            params: { query: { status, limit: STATUS_COUNT_LIMIT, sort: 'id' } },
          }),
        ),
    })),
  });
  const monthly = useQueries({
    queries: months.map((month) => ({
      queryKey: ['usage-totals', 'account', month],
      queryFn: () =>
        unwrap(
          api.GET('/api/v1/usage/totals', { params: { query: { month, groupBy: 'account' } } }),
        ),
    })),
  });
  const top = useQuery({
    queryKey: ['cards', 'top-usage'],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/cards', {
          params: { query: { sort: 'usage', order: 'desc', limit: 10 } },
        }),
      ),
  });
  const accounts = useQuery({
    queryKey: ['accounts'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts')),
  });
  const alerts = useQuery({
    queryKey: ['alerts', 'open'],
    queryFn: () => listAlerts({ state: 'open' }),
  });

  const thisMonth = monthly[monthly.length - 1]?.data;
  // Cards of every status (usage totals count only the cards with usage synced this month).
  const totalCards = byStatus.every((query) => query.data)
    ? byStatus.reduce((sum, query) => sum + (query.data?.cards.length ?? 0), 0)
    : null;
  const totalBytes = thisMonth?.totals.reduce((sum, row) => sum + row.bytes, 0) ?? null;
  const monthlyKey = monthly
    .map((query) => (query.data ? query.data.totals.reduce((sum, row) => sum + row.bytes, 0) : 0))
    .join(',');
  const usageChart = useMemo(
    () => ({
      grid: { left: 56, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', name: 'MB' },
      series: [
        {
          type: 'line',
          areaStyle: {},
          smooth: true,
          data: monthlyKey.split(',').map((bytes) => toMegabytes(Number(bytes))),
        },
      ],
    }),
    [months, monthlyKey],
  );
  const accountChart = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['40%', '70%'],
          data: (thisMonth?.totals ?? []).map((row) => ({
            name: row.key ?? '—',
            value: row.cards,
          })),
        },
      ],
    }),
    [thisMonth],
  );

  return (
    <section className="dashboard" data-testid="dashboard">
      <h1>{t('dashboard.title')}</h1>
      <div className="tiles">
        <div className="tile">
          <div className="muted">{t('dashboard.cards')}</div>
          <div className="figure" data-testid="total-cards">
            {formatCount(totalCards, i18n.language)}
          </div>
        </div>
        <div className="tile">
          <div className="muted">{t('dashboard.usageThisMonth')}</div>
          <div className="figure">{formatBytes(totalBytes)}</div>
        </div>
        <div className="tile">
          <div className="muted">{t('dashboard.openAlerts')}</div>
          <div className="figure">
            {alerts.isSuccess ? formatCount(alerts.data.length, i18n.language) : '—'}
          </div>
        </div>
        <div className="tile">
          <div className="muted">{t('dashboard.accounts')}</div>
          <div className="figure">
            {accounts.isSuccess ? formatCount(accounts.data.accounts.length, i18n.language) : '—'}
          </div>
        </div>
      </div>
      <div className="grid-2">
        <div className="panel">
          <h2>{t('dashboard.byStatus')}</h2>
          <ul className="status-counts" data-testid="status-counts">
            {CARD_STATUSES.map((status, index) => {
              const query = byStatus[index];
              const count = query?.data?.cards.length;
              return (
                <li key={status}>
                  <Link to={`/cards?status=${status}`}>
                    <StatusBadge status={status} />
                  </Link>
                  <span className="count">
                    {count === undefined
                      ? '…'
                      : `${query?.data?.nextCursor ? '≥' : ''}${formatCount(count, i18n.language)}`}
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
        <div className="panel">
          <h2>{t('dashboard.byAccount')}</h2>
          {thisMonth && thisMonth.totals.length > 0 ? (
            <Chart option={accountChart} label={t('dashboard.byAccount')} height={240} />
          ) : (
            <Empty />
          )}
        </div>
      </div>
      <div className="panel">
        <h2>{t('dashboard.usageTrend')}</h2>
        <Chart option={usageChart} label={t('dashboard.usageTrend')} height={240} />
      </div>
      <div className="grid-2">
        <div className="panel">
          <h2>{t('dashboard.topConsumers')}</h2>
          {top.isPending ? (
            <Loading />
          ) : top.isError ? (
            <ErrorMessage error={top.error} />
          ) : top.data.cards.length === 0 ? (
            <Empty />
          ) : (
            <table className="data-table compact">
              <tbody>
                {top.data.cards.map((card) => (
                  <tr key={card.id}>
                    <td>
                      <Link to={`/cards/${card.id}`} className="mono">
                        {card.iccid ?? card.msisdn ?? card.id}
                      </Link>
                    </td>
                    <td>{card.account}</td>
                    <td className="number">{formatBytes(card.usageThisMonth)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="panel">
          <h2>{t('dashboard.syncHealth')}</h2>
          {accounts.isPending ? (
            <Loading />
          ) : accounts.isError ? (
            <ErrorMessage error={accounts.error} />
          ) : (
            <table className="data-table compact">
              <tbody>
                {accounts.data.accounts.map((account) => {
                  const run = account.health.lastSyncRun;
                  return (
                    <tr key={account.id}>
                      <td>{account.id}</td>
                      <td>{account.type}</td>
                      <td>
                        {run ? (
                          <span className={`badge badge-run-${run.status}`}>
                            {t(`syncRuns.states.${run.status}`)}
                          </span>
                        ) : (
                          t('dashboard.neverSynced')
                        )}
                      </td>
                      <td className="muted">
                        {run ? formatInstant(run.finishedAt ?? run.startedAt, i18n.language) : ''}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}
