import { useTranslation } from 'react-i18next';
import { syncKindLabel } from '../../components/labels.js';
import { ResourceTable } from '../../components/resource-table.js';
import { formatCount, formatInstant } from '../../format.js';

interface SyncRun {
  id: number;
  account: string;
  kind: string;
  status: string;
  startedAt: number;
  durationMs: number | null;
  cards: number | null;
  synced: number | null;
  failed: number | null;
  calls: number | null;
}

/** Sync runs, newest first: what each cost in supplier calls and what failed. */
export function SyncRunsPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  return (
    <section>
      <h1>{t('nav.syncRuns')}</h1>
      <ResourceTable<SyncRun>
        path="/api/v1/sync-runs"
        listKey="runs"
        rowKey={(run) => run.id}
        columns={[
          { header: '#', cell: (run) => run.id },
          { header: t('cards.columns.account'), cell: (run) => run.account },
          { header: t('syncRuns.kind'), cell: (run) => syncKindLabel(t, run.kind) },
          {
            header: t('syncRuns.status'),
            cell: (run) => (
              <span className={`badge badge-run-${run.status}`}>
                {t(`syncRuns.states.${run.status}`, { defaultValue: run.status })}
              </span>
            ),
          },
          { header: t('syncRuns.started'), cell: (run) => formatInstant(run.startedAt, locale) },
          {
            header: t('syncRuns.seconds'),
            cell: (run) => (run.durationMs === null ? '—' : (run.durationMs / 1000).toFixed(1)),
          },
          { header: t('syncRuns.cards'), cell: (run) => formatCount(run.cards, locale) },
          { header: t('syncRuns.synced'), cell: (run) => formatCount(run.synced, locale) },
          { header: t('syncRuns.failed'), cell: (run) => formatCount(run.failed, locale) },
          { header: t('syncRuns.calls'), cell: (run) => formatCount(run.calls, locale) },
        ]}
      />
    </section>
  );
}
