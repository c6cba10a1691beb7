import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import { actorLabel, auditActionLabel } from '../../components/labels.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatInstant } from '../../format.js';
import { mergeSearch, type SearchChanges } from '../../search-params.js';

/** The audit page's query string: `/audit?targetType=card&targetId=42&before=1234`. */
export interface AuditSearch {
  targetType?: string;
  targetId?: string;
  before?: string;
}

/** The audit log, newest first, filtered by target in the URL, paged by `before`. */
export function AuditPage() {
  const { t, i18n } = useTranslation();
  const search = useSearch({ from: '/audit' });
  const navigate = useNavigate({ from: '/audit' });
  const setSearch = (changes: SearchChanges<AuditSearch>) =>
    void navigate({
      search: (previous) => mergeSearch(previous, changes),
      replace: true,
      resetScroll: false,
    });
  const query = {
    limit: 100,
    targetType: search.targetType,
    targetId: search.targetId,
    before: search.before ? Number(search.before) : undefined,
  };
  const audit = useQuery({
    queryKey: ['audit', query],
    queryFn: () => unwrap(api.GET('/api/v1/audit', { params: { query } })),
  });
  return (
    <section>
      <h1>{t('nav.audit')}</h1>
      <div className="filters">
        <input
          placeholder={t('audit.targetType')}
          aria-label={t('audit.targetType')}
          defaultValue={query.targetType ?? ''}
          onBlur={(event) => setSearch({ targetType: event.target.value.trim(), before: null })}
        />
        <input
          placeholder={t('audit.targetId')}
          aria-label={t('audit.targetId')}
          defaultValue={query.targetId ?? ''}
          onBlur={(event) => setSearch({ targetId: event.target.value.trim(), before: null })}
        />
      </div>
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        <ErrorMessage error={audit.error} />
      ) : audit.data.entries.length === 0 ? (
        <Empty />
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th>{t('audit.at')}</th>
                <th>{t('audit.actor')}</th>
                <th>{t('audit.action')}</th>
                <th>{t('audit.target')}</th>
                <th>{t('audit.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {audit.data.entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatInstant(entry.at, i18n.language)}</td>
                  <td>{actorLabel(t, entry.actor)}</td>
                  <td title={entry.action}>{auditActionLabel(t, entry.action)}</td>
                  <td>
                    {t(`auditAreas.${entry.targetType}s`, {
                      defaultValue: t(`auditTargets.${entry.targetType}`, {
                        defaultValue: entry.targetType,
                      }),
                    })}{' '}
                    <span className="mono">{entry.targetId}</span>
                  </td>
                  <td>{t(`audit.outcomes.${entry.outcome}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {audit.data?.nextBefore ? (
        <div className="pager">
          <button
            type="button"
            onClick={() => setSearch({ before: String(audit.data.nextBefore) })}
          >
            {t('common.next')}
          </button>
        </div>
      ) : null}
    </section>
  );
}
