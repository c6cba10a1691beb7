import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { listAlerts } from '../../api/card-extras-api.js';
import { api, unwrap } from '../../api/client.js';
import { Chart } from '../../components/chart.js';
import { supplierLabel } from '../../components/labels.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { CARD_STATUSES, StatusBadge } from '../../components/status-badge.js';
import { formatBytes, formatCount, formatInstant, toMegabytes } from '../../format.js';
import { ExpiringPanel, NearQuotaPanel, OpenAlertsPanel, QuotaPanel } from './dashboard-plans.js';

/** The open alerts fetched at once (`listAlerts` asks for one page of 100). */
const ALERTS_PAGE = 100;

/**
 * The fleet at a glance: status, accounts, usage (and against quota), the cards near their quota
 * and expiring soon, top consumers, open alerts, sync health.
 */
export function DashboardPage() {
  const { t, i18n } = useTranslation();
  const stats = useQuery({
    queryKey: ['card-stats'],
    queryFn: () => unwrap(api.GET('/api/v1/cards/stats', { params: { query: { top: 10 } } })),
  });
  const daily = useQuery({
    queryKey: ['usage-daily', 30],
    queryFn: () => unwrap(api.GET('/api/v1/usage/daily', { params: { query: { days: 30 } } })),
  });
  const accounts = useQuery({
    queryKey: ['accounts'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts')),
  });
  const alerts = useQuery({
    queryKey: ['alerts', 'open'],
    queryFn: () => listAlerts({ state: 'open' }),
  });

  const usageChart = useMemo(
    () => ({
      grid: { left: 56, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: (daily.data?.days ?? []).map((day) => day.date.slice(5)) },
      yAxis: { type: 'value', name: 'MB' },
      series: [
        {
          type: 'bar',
          // A day no card has a figure for stays a gap, not a zero.
          data: (daily.data?.days ?? []).map((day) =>
            day.bytes === null ? null : toMegabytes(day.bytes),
          ),
        },
      ],
    }),
    [daily.data],
  );
  const accountChart = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      // Under the ring, three rows at a time (scrolled by its pager), names cut to the width:
      // at phone width a wrapped legend covered the ring's labels, and a horizontal scrolling
      // one ran past the screen's edge.
      legend: {
        type: 'scroll',
        orient: 'vertical',
        left: 8,
        bottom: 0,
        height: 60,
        pageButtonPosition: 'end',
        textStyle: { width: 240, overflow: 'truncate' },
      },
      series: [
        {
          type: 'pie',
          center: ['50%', '38%'],
          radius: ['28%', '50%'],
          // The shares inside the ring; the names are the legend's (and the tooltip's).
          label: { position: 'inside', formatter: '{d}%', color: '#fff', fontSize: 11 },
          labelLine: { show: false },
          data: (stats.data?.byAccount ?? []).map((row) => ({
            name: `${row.account} (${supplierLabel(t, row.supplier)})`,
            value: row.cards,
          })),
        },
      ],
    }),
    [stats.data, t],
  );
  const statusCount = (status: string) =>
    stats.data ? (stats.data.byStatus.find((row) => row.status === status)?.cards ?? 0) : undefined;

  return (
    <section className="dashboard" data-testid="dashboard">
      <h1>{t('dashboard.title')}</h1>
      <div className="tiles">
        <div className="tile">
          <div className="muted">{t('dashboard.cards')}</div>
          <div className="figure" data-testid="total-cards">
            {formatCount(stats.data?.total, i18n.language)}
          </div>
        </div>
        <div className="tile">
          <div className="muted">{t('dashboard.usageThisMonth')}</div>
          <div className="figure">{formatBytes(stats.data?.monthBytes)}</div>
        </div>
        <div className="tile">
          <Link
            to="/alerts"
            search={{ state: 'open' }}
            className="muted"
            data-testid="open-alerts-tile"
          >
            {t('dashboard.openAlerts')}
          </Link>
          <div className="figure">
            {alerts.isSuccess
              ? `${formatCount(alerts.data.length, i18n.language)}${alerts.data.length >= ALERTS_PAGE ? '+' : ''}`
              : '—'}
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
            {CARD_STATUSES.map((status) => {
              const count = statusCount(status);
              return (
                <li key={status}>
                  <Link to="/cards" search={{ status }}>
                    <StatusBadge status={status} />
                  </Link>
                  <span className="count">
                    {count === undefined ? '…' : formatCount(count, i18n.language)}
                  </span>
                </li>
              );
            })}
          </ul>
          {stats.data && stats.data.statusNotReported.length > 0 ? (
            <p className="muted" data-testid="status-not-reported">
              {t('whyUnknown.dashboard', {
                count: stats.data.statusNotReported.reduce((sum, row) => sum + row.cards, 0),
              })}{' '}
              {stats.data.statusNotReported.map((row, index) => (
                <span key={row.account}>
                  {index > 0 ? t('common.listSeparator') : null}
                  <span className="mono nowrap">{row.account}</span> (
                  {supplierLabel(t, row.supplier)})
                </span>
              ))}
            </p>
          ) : null}
        </div>
        <div className="panel">
          <h2>{t('dashboard.byAccount')}</h2>
          {stats.data && stats.data.byAccount.length > 0 ? (
            <Chart option={accountChart} label={t('dashboard.byAccount')} height={240} />
          ) : (
            <Empty />
          )}
        </div>
      </div>
      <div className="grid-2">
        <QuotaPanel stats={stats.data} error={stats.error} />
        <OpenAlertsPanel alerts={alerts.data} pending={alerts.isPending} error={alerts.error} />
      </div>
      <div className="grid-2">
        <NearQuotaPanel stats={stats.data} error={stats.error} />
        <ExpiringPanel stats={stats.data} error={stats.error} />
      </div>
      <div className="panel">
        <h2>{t('dashboard.usageTrend')}</h2>
        <Chart option={usageChart} label={t('dashboard.usageTrend')} height={240} />
      </div>
      <div className="grid-2">
        <div className="panel">
          <h2>{t('dashboard.topConsumers')}</h2>
          {stats.isPending ? (
            <Loading />
          ) : stats.isError ? (
            <ErrorMessage error={stats.error} />
          ) : stats.data.topConsumers.length === 0 ? (
            <Empty />
          ) : (
            <table className="data-table compact">
              <tbody>
                {stats.data.topConsumers.map((card) => (
                  <tr key={card.id}>
                    <td>
                      <Link to="/cards/$cardId" params={{ cardId: card.id }} className="mono">
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
                      <td className="wrap">{supplierLabel(t, account.type)}</td>
                      <td>
                        {run ? (
                          <span className={`badge badge-run-${run.status}`}>
                            {t(`syncRuns.states.${run.status}`)}
                          </span>
                        ) : (
                          t('dashboard.neverSynced')
                        )}
                      </td>
                      <td className="muted wrap">
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
