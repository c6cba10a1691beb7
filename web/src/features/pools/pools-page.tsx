import { useTranslation } from 'react-i18next';
import { ResourceTable } from '../../components/resource-table.js';
import { formatBytes } from '../../format.js';

/** A pool with its usage this cycle (`GET /api/v1/pools`). */
interface PoolRow {
  id: number;
  name: string;
  account: string | null;
  quotaBytes: number | null;
  members: number;
  usedBytes: number | null;
  percentUsed: number | null;
  dailyRateBytes: number | null;
  runOutDate: string | null;
}

/** Shared data pools: usage against quota this cycle and the run-out forecast. */
export function PoolsPage() {
  const { t } = useTranslation();
  return (
    <section>
      <h1>{t('nav.pools')}</h1>
      <ResourceTable<PoolRow>
        path="/api/v1/pools"
        listKey="pools"
        rowKey={(row) => row.id}
        empty={t('pools.none')}
        testId="pools-table"
        columns={[
          { header: t('users.name'), cell: (row) => row.name },
          { header: t('cards.columns.account'), cell: (row) => row.account ?? '—' },
          { header: t('pools.members'), cell: (row) => row.members },
          {
            header: t('pools.used'),
            cell: (row) => (
              <span>
                {formatBytes(row.usedBytes)} / {formatBytes(row.quotaBytes)}
                {row.percentUsed === null ? null : (
                  <progress max={100} value={Math.min(row.percentUsed, 100)} />
                )}
              </span>
            ),
          },
          { header: t('pools.dailyRate'), cell: (row) => formatBytes(row.dailyRateBytes) },
          { header: t('pools.runOut'), cell: (row) => row.runOutDate ?? '—' },
        ]}
      />
    </section>
  );
}
