import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import { codedText } from '../../components/alert-text.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatInstant } from '../../format.js';
import { mergeSearch, type SearchChanges } from '../../search-params.js';

/** The alerts page's query string: the API's own filter names and the `before` cursor. */
export interface AlertsSearch {
  severity?: string;
  state?: string;
  rule?: string;
  account?: string;
  from?: string;
  to?: string;
  before?: string;
}

const PAGE_SIZE = 100;
const SEVERITIES = ['info', 'warning', 'critical'] as const;

/**
 * Alerts as a table: filters by severity, state, rule, account and date (kept in the URL), paging
 * past the newest 100 by cursor, and acknowledging the selected alerts at once (audited).
 */
export function AlertsPage() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const search = useSearch({ from: '/alerts' });
  const navigate = useNavigate({ from: '/alerts' });
  const [selected, setSelected] = useState<number[]>([]);
  const [cursors, setCursors] = useState<string[]>([]);
  const setSearch = (changes: SearchChanges<AlertsSearch>) => {
    setSelected([]);
    if (!('before' in changes)) setCursors([]);
    void navigate({ search: (previous) => mergeSearch(previous, changes), replace: true });
  };
  const query: Record<string, string | number> = { limit: PAGE_SIZE };
  for (const key of ['severity', 'state', 'rule', 'account', 'from', 'to', 'before'] as const) {
    if (search[key]) query[key] = search[key];
  }
  const alerts = useQuery({
    queryKey: ['alerts', query],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/alerts', {
          params: { query: query as { limit: number } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const rules = useQuery({
    queryKey: ['rules'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/rules'))).rules,
  });
  const acknowledge = useMutation({
    mutationFn: (ids: number[]) =>
      unwrap(api.POST('/api/v1/alerts/acknowledge', { body: { ids } })),
    onSuccess: () => {
      setSelected([]);
      void client.invalidateQueries({ queryKey: ['alerts'] });
      void client.invalidateQueries({ queryKey: ['card-alerts'] });
    },
  });
  const rows = alerts.data?.alerts ?? [];
  const open = rows.filter((alert) => alert.state === 'open').map((alert) => alert.id);
  const toggle = (id: number) =>
    setSelected((current) =>
      current.includes(id) ? current.filter((other) => other !== id) : [...current, id],
    );
  const text = (key: keyof AlertsSearch, label: string, type = 'text') => (
    <input
      key={`${key}-${search[key] ?? ''}`}
      type={type}
      aria-label={label}
      placeholder={label}
      name={key}
      defaultValue={search[key] ?? ''}
      onBlur={(event) => setSearch({ [key]: event.target.value.trim() || null, before: null })}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          setSearch({ [key]: event.currentTarget.value.trim() || null, before: null });
        }
      }}
    />
  );
  return (
    <section>
      <h1>{t('nav.alerts')}</h1>
      <div className="filters" data-testid="alert-filters">
        <select
          aria-label={t('alertsPage.severity')}
          name="severity"
          value={search.severity ?? ''}
          onChange={(event) => setSearch({ severity: event.target.value || null, before: null })}
        >
          <option value="">{t('alertsPage.allSeverities')}</option>
          {SEVERITIES.map((severity) => (
            <option key={severity} value={severity}>
              {t(`dashboard.severity.${severity}`)}
            </option>
          ))}
        </select>
        <select
          aria-label={t('alertsPage.state')}
          name="state"
          value={search.state ?? ''}
          onChange={(event) => setSearch({ state: event.target.value || null, before: null })}
        >
          <option value="">{t('alertsPage.allStates')}</option>
          <option value="open">{t('alertsPage.open')}</option>
          <option value="acknowledged">{t('alerts.acknowledged')}</option>
        </select>
        <select
          aria-label={t('alertsPage.rule')}
          name="rule"
          value={search.rule ?? ''}
          onChange={(event) => setSearch({ rule: event.target.value || null, before: null })}
        >
          <option value="">{t('alertsPage.allRules')}</option>
          {(rules.data ?? []).map((rule) => (
            <option key={rule.id} value={String(rule.id)}>
              {rule.name ?? `#${rule.id}`}
            </option>
          ))}
        </select>
        {text('account', t('cards.columns.account'))}
        {text('from', t('alertsPage.from'), 'date')}
        {text('to', t('alertsPage.to'), 'date')}
      </div>
      <div className="bulk-bar" data-testid="alerts-bulk">
        <span>{t('alertsPage.selected', { count: selected.length })}</span>
        <button
          type="button"
          className="primary"
          disabled={selected.length === 0 || acknowledge.isPending}
          onClick={() => acknowledge.mutate(selected)}
          data-testid="acknowledge-selected"
        >
          {t('alertsPage.acknowledgeSelected')}
        </button>
      </div>
      {acknowledge.isError ? <ErrorMessage error={acknowledge.error} /> : null}
      {alerts.isPending ? (
        <Loading />
      ) : alerts.isError ? (
        <ErrorMessage error={alerts.error} />
      ) : rows.length === 0 ? (
        <Empty>{t('alerts.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="alerts-table">
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label={t('alertsPage.selectAllOpen')}
                    checked={open.length > 0 && open.every((id) => selected.includes(id))}
                    onChange={(event) => setSelected(event.target.checked ? open : [])}
                  />
                </th>
                <th>{t('alertsPage.raised')}</th>
                <th>{t('alertsPage.severity')}</th>
                <th>{t('alertsPage.what')}</th>
                <th>{t('alertsPage.card')}</th>
                <th>{t('cards.columns.account')}</th>
                <th>{t('alertsPage.rule')}</th>
                <th>{t('alertsPage.state')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((alert) => (
                <tr key={alert.id} data-alert-id={alert.id} data-state={alert.state}>
                  <td>
                    {alert.state === 'open' ? (
                      <input
                        type="checkbox"
                        aria-label={`#${alert.id}`}
                        checked={selected.includes(alert.id)}
                        onChange={() => toggle(alert.id)}
                      />
                    ) : null}
                  </td>
                  <td>{formatInstant(alert.createdAt, i18n.language)}</td>
                  <td>
                    <span className={`badge badge-severity-${alert.severity}`}>
                      {t(`dashboard.severity.${alert.severity}`)}
                    </span>
                  </td>
                  <td>{codedText(t, alert)}</td>
                  <td>
                    {alert.cardId ? (
                      <Link to="/cards/$cardId" params={{ cardId: alert.cardId }}>
                        #{alert.cardId}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{alert.account ?? '—'}</td>
                  <td>
                    {alert.ruleId === null
                      ? t('alertsPage.supplier')
                      : (rules.data?.find((rule) => rule.id === alert.ruleId)?.name ??
                        `#${alert.ruleId}`)}
                  </td>
                  <td>
                    {alert.state === 'open'
                      ? t('alertsPage.open')
                      : `${t('alerts.acknowledged')} · ${formatInstant(alert.acknowledgedAt, i18n.language)}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => {
            const previous = cursors.at(-2) ?? null;
            setCursors(cursors.slice(0, -1));
            setSearch({ before: previous });
          }}
        >
          {t('common.previous')}
        </button>
        <button
          type="button"
          disabled={!alerts.data?.nextCursor}
          data-testid="alerts-next"
          onClick={() => {
            const next = String(alerts.data?.nextCursor);
            setCursors([...cursors, next]);
            setSearch({ before: next });
          }}
        >
          {t('common.next')}
        </button>
      </div>
    </section>
  );
}
