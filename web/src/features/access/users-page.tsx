import { useTranslation } from 'react-i18next';
import { ResourceTable } from '../../components/resource-table.js';
import { formatInstant } from '../../format.js';

interface UserRow {
  id: number;
  email: string;
  role: string;
  tenant: string;
  disabled: boolean;
  lastLoginAt: string | null;
}
interface KeyRow {
  id: number;
  name: string;
  prefix: string;
  role: string;
  tenant: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
interface TenantRow {
  id: string;
  parent: string | null;
  name: string;
  kind: string;
}

/** Users, API keys and tenants of the caller's subtree. */
export function UsersPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  return (
    <section>
      <h1>{t('nav.users')}</h1>
      <h2>{t('users.users')}</h2>
      <ResourceTable<UserRow>
        path="/api/v1/users"
        listKey="users"
        rowKey={(row) => row.id}
        columns={[
          { header: t('login.email'), cell: (row) => row.email },
          { header: t('users.role'), cell: (row) => t(`roles.${row.role}`) },
          { header: t('cards.columns.tenant'), cell: (row) => row.tenant },
          {
            header: t('users.state'),
            cell: (row) => (row.disabled ? t('users.disabled') : t('users.enabled')),
          },
          { header: t('users.lastLogin'), cell: (row) => formatInstant(row.lastLoginAt, locale) },
        ]}
      />
      <h2>{t('users.keys')}</h2>
      <ResourceTable<KeyRow>
        path="/api/v1/keys"
        listKey="keys"
        rowKey={(row) => row.id}
        columns={[
          { header: t('users.name'), cell: (row) => row.name },
          { header: t('users.prefix'), cell: (row) => <span className="mono">{row.prefix}…</span> },
          { header: t('users.role'), cell: (row) => t(`roles.${row.role}`) },
          { header: t('cards.columns.tenant'), cell: (row) => row.tenant },
          { header: t('users.lastUsed'), cell: (row) => formatInstant(row.lastUsedAt, locale) },
          {
            header: t('users.state'),
            cell: (row) => (row.revokedAt ? t('users.revoked') : t('users.enabled')),
          },
        ]}
      />
      <h2>{t('users.tenants')}</h2>
      <ResourceTable<TenantRow>
        path="/api/v1/tenants"
        listKey="tenants"
        rowKey={(row) => row.id}
        columns={[
          { header: 'ID', cell: (row) => row.id },
          { header: t('users.name'), cell: (row) => row.name },
          { header: t('users.kind'), cell: (row) => t(`users.kinds.${row.kind}`) },
          { header: t('users.parent'), cell: (row) => row.parent ?? '—' },
        ]}
      />
    </section>
  );
}
