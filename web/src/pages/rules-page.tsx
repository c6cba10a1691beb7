import { useTranslation } from 'react-i18next';
import { ResourceTable } from '../components/resource-table.js';

interface RuleRow {
  id: number;
  name: string;
  filter?: string;
  condition?: string;
  action?: string;
  enabled?: boolean;
}

/** Usage rules (warn at 80 %, pause at 100 %…). */
export function RulesPage() {
  const { t } = useTranslation();
  return (
    <section>
      <h1>{t('nav.rules')}</h1>
      <ResourceTable<RuleRow>
        path="/api/v1/rules"
        listKey="rules"
        rowKey={(row) => row.id}
        empty={t('rules.none')}
        columns={[
          { header: t('users.name'), cell: (row) => row.name },
          { header: t('rules.condition'), cell: (row) => row.condition ?? row.filter ?? '' },
          { header: t('rules.action'), cell: (row) => row.action ?? '' },
          {
            header: t('users.state'),
            cell: (row) => (row.enabled === false ? t('users.disabled') : t('users.enabled')),
          },
        ]}
      />
    </section>
  );
}
