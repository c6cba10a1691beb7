import { useTranslation } from 'react-i18next';
import { ResourceTable } from '../components/resource-table.js';

interface EndpointRow {
  id: number | string;
  url: string;
  events?: string[];
  enabled?: boolean;
}

/** Webhook endpoints of the caller's tenant. */
export function WebhooksPage() {
  const { t } = useTranslation();
  return (
    <section>
      <h1>{t('nav.webhooks')}</h1>
      <ResourceTable<EndpointRow>
        path="/api/v1/webhooks"
        listKey="endpoints"
        rowKey={(row) => row.id}
        empty={t('webhooks.none')}
        columns={[
          { header: 'URL', cell: (row) => <span className="mono">{row.url}</span> },
          { header: t('webhooks.events'), cell: (row) => (row.events ?? []).join(', ') },
          {
            header: t('users.state'),
            cell: (row) => (row.enabled === false ? t('users.disabled') : t('users.enabled')),
          },
        ]}
      />
    </section>
  );
}
