import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { Alert } from '../../api/card-extras-api.js';
import type { paths } from '../../api/schema.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatBytes, formatCount, formatInstant } from '../../format.js';
import './dashboard-page.css';
import { codedText } from '../../components/alert-text.js';

/** The answer of `GET /api/v1/cards/stats`. */
export type CardStats =
  paths['/api/v1/cards/stats']['get']['responses'][200]['content']['application/json'];

/** How many open alerts the dashboard lists (the tile counts up to the page the API sends). */
const ALERTS_SHOWN = 5;

/** Today's CST date (`YYYY-MM-DD`): expiry dates are CST dates. */
function cstToday(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** Whole days from today (CST) to a CST date. */
export function daysUntil(date: string, now = Date.now()): number {
  return Math.round((Date.parse(date) - Date.parse(cstToday(now))) / 86_400_000);
}

/** The card's first known identifier, for a link. */
function cardLabel(card: { id: number; iccid: string | null; msisdn: string | null }) {
  return card.iccid ?? card.msisdn ?? String(card.id);
}

/**
 * A horizontal bar of a share (0–100+; drawn up to full), amber from 80 and red from 100. It only
 * pictures the percentage printed beside it, so assistive technology skips it.
 */
function ShareBar(props: { percent: number }) {
  const level = props.percent >= 100 ? 'over' : props.percent >= 80 ? 'near' : 'ok';
  return (
    <div className={`share-bar share-bar-${level}`} aria-hidden="true">
      <div style={{ width: `${Math.min(props.percent, 100)}%` }} />
    </div>
  );
}

/** "10 of 37" when the list is cut, nothing otherwise. */
function ShownOf(props: { shown: number; total: number }) {
  const { t, i18n } = useTranslation();
  if (props.total <= props.shown) return null;
  return (
    <span className="muted panel-note">
      {t('dashboard.shownOf', {
        shown: formatCount(props.shown, i18n.language),
        total: formatCount(props.total, i18n.language),
      })}
    </span>
  );
}

/** This cycle's usage of the cards on a plan with a quota against the sum of their quotas. */
export function QuotaPanel(props: { stats: CardStats | undefined; error: unknown }) {
  const { t, i18n } = useTranslation();
  const quota = props.stats?.quota;
  const percent =
    quota?.usedBytes != null && quota.quotaBytes
      ? (quota.usedBytes / quota.quotaBytes) * 100
      : null;
  return (
    <div className="panel" data-testid="quota-panel">
      <h2>{t('dashboard.quota')}</h2>
      {props.error ? (
        <ErrorMessage error={props.error} />
      ) : !quota ? (
        <Loading />
      ) : quota.cards === 0 ? (
        <Empty>{t('dashboard.noQuota')}</Empty>
      ) : (
        <>
          <div className="figure">{percent === null ? '—' : `${percent.toFixed(1)} %`}</div>
          {percent !== null && <ShareBar percent={percent} />}
          <p>
            {t('dashboard.quotaUsed', {
              used: formatBytes(quota.usedBytes),
              quota: formatBytes(quota.quotaBytes),
            })}
          </p>
          <p className="muted">
            {t('dashboard.quotaCards', {
              cards: formatCount(quota.cards, i18n.language),
              known: formatCount(quota.cardsWithUsage, i18n.language),
            })}
          </p>
        </>
      )}
    </div>
  );
}

/** The cards at 80 % or more of their plan's quota this cycle, the fullest first. */
export function NearQuotaPanel(props: { stats: CardStats | undefined; error: unknown }) {
  const { t } = useTranslation();
  const stats = props.stats;
  return (
    <div className="panel" data-testid="near-quota">
      <h2>
        {t('dashboard.nearQuota')}{' '}
        {stats && <ShownOf shown={stats.nearQuota.length} total={stats.nearQuotaTotal} />}
        <Link
          to="/cards"
          search={{ quotaMin: '80' }}
          className="panel-note"
          data-testid="near-quota-list"
        >
          {t('dashboard.allNearQuota')}
        </Link>
      </h2>
      {props.error ? (
        <ErrorMessage error={props.error} />
      ) : !stats ? (
        <Loading />
      ) : stats.nearQuota.length === 0 ? (
        <Empty>{t('dashboard.nearQuotaNone')}</Empty>
      ) : (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>{t('cards.columns.iccid')}</th>
              <th>{t('dashboard.plan')}</th>
              <th className="number">{t('dashboard.usedOfQuota')}</th>
              <th className="number">{t('dashboard.percent')}</th>
            </tr>
          </thead>
          <tbody>
            {stats.nearQuota.map((card) => (
              <tr key={card.id}>
                <td>
                  <Link to="/cards/$cardId" params={{ cardId: card.id }} className="mono">
                    {cardLabel(card)}
                  </Link>
                </td>
                <td>{card.plan}</td>
                <td className="number">
                  {formatBytes(card.usedBytes)} / {formatBytes(card.quotaBytes)}
                  <ShareBar percent={card.percent} />
                </td>
                <td className="number percent">{card.percent.toFixed(1)} %</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The cards whose service ends from today to 30 days ahead, the soonest first. */
export function ExpiringPanel(props: { stats: CardStats | undefined; error: unknown }) {
  const { t } = useTranslation();
  const stats = props.stats;
  return (
    <div className="panel" data-testid="expiring-soon">
      <h2>
        {t('dashboard.expiringSoon')}{' '}
        {stats && <ShownOf shown={stats.expiringSoon.length} total={stats.expiringSoonTotal} />}
        <Link
          to="/cards"
          search={{ expiresWithin: '30' }}
          className="panel-note"
          data-testid="expiring-list"
        >
          {t('dashboard.allExpiring')}
        </Link>
      </h2>
      {props.error ? (
        <ErrorMessage error={props.error} />
      ) : !stats ? (
        <Loading />
      ) : stats.expiringSoon.length === 0 ? (
        <Empty>{t('dashboard.expiringNone')}</Empty>
      ) : (
        <table className="data-table compact">
          <thead>
            <tr>
              <th>{t('cards.columns.iccid')}</th>
              <th>{t('cards.columns.account')}</th>
              <th>{t('dashboard.expiresOn')}</th>
              <th className="number">{t('dashboard.daysLeft')}</th>
            </tr>
          </thead>
          <tbody>
            {stats.expiringSoon.map((card) => {
              const days = daysUntil(card.expiresOn);
              return (
                <tr key={card.id}>
                  <td>
                    <Link to="/cards/$cardId" params={{ cardId: card.id }} className="mono">
                      {cardLabel(card)}
                    </Link>
                  </td>
                  <td>{card.account}</td>
                  <td className="mono">{card.expiresOn}</td>
                  <td className={`number${days <= 7 ? ' soon' : ''}`}>{days}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The newest open alerts, with a link to the alerts page. */
export function OpenAlertsPanel(props: {
  alerts: Alert[] | undefined;
  pending: boolean;
  error: unknown;
}) {
  const { t, i18n } = useTranslation();
  return (
    <div className="panel" data-testid="open-alerts">
      <h2>
        {t('dashboard.openAlerts')}{' '}
        <Link to="/alerts" className="panel-note">
          {t('dashboard.allAlerts')}
        </Link>
      </h2>
      {props.error ? (
        <ErrorMessage error={props.error} />
      ) : props.pending || !props.alerts ? (
        <Loading />
      ) : props.alerts.length === 0 ? (
        <Empty>{t('dashboard.noOpenAlerts')}</Empty>
      ) : (
        <ul className="alert-list">
          {props.alerts.slice(0, ALERTS_SHOWN).map((alert) => (
            <li key={alert.id}>
              <span className={`badge badge-severity-${alert.severity}`}>
                {t(`dashboard.severity.${alert.severity}`)}
              </span>{' '}
              {alert.cardId !== null ? (
                <Link to="/cards/$cardId" params={{ cardId: alert.cardId }}>
                  {codedText(t, alert)}
                </Link>
              ) : (
                codedText(t, alert)
              )}
              <div className="muted">{formatInstant(alert.createdAt, i18n.language)}</div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
