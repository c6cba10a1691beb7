import { useTranslation } from 'react-i18next';
import { ResourceTable } from '../components/resource-table.js';
import { formatBytes } from '../format.js';

interface PoolRow {
  id: number | string;
  name: string;
  account?: string;
  usedBytes?: number | null;
  quotaBytes?: number | null;
  runOutDate?: string | null;
}

/** Shared data pools: usage against quota and the run-out forecast. */
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
        columns={[
          { header: t('users.name'), cell: (row) => row.name },
          { header: t('cards.columns.account'), cell: (row) => row.account ?? '—' },
          { header: t('pools.used'), cell: (row) => formatBytes(row.usedBytes) },
          { header: t('pools.quota'), cell: (row) => formatBytes(row.quotaBytes) },
          { header: t('pools.runOut'), cell: (row) => row.runOutDate ?? '—' },
        ]}
      />
    </section>
  );
}
