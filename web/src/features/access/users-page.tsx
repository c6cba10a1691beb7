import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, request, unwrap } from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ResourceTable } from '../../components/resource-table.js';
import { SecretOnce } from '../../components/secret-once.js';
import { ErrorMessage } from '../../components/states.js';
import { formatInstant } from '../../format.js';
import { CardAssignment } from './access-forms.js';

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

const ROLES = ['viewer', 'operator', 'admin', 'owner'] as const;
type Role = (typeof ROLES)[number];

/** The tenants of the caller's subtree, for the forms' selects. */
function useTenants() {
  return useQuery({
    queryKey: ['resource', '/api/v1/tenants'],
    queryFn: async () =>
      (await request<{ tenants: TenantRow[] }>('GET', '/api/v1/tenants')).tenants,
  });
}

function TenantSelect(props: { label: string; value: string; onChange: (value: string) => void }) {
  const tenants = useTenants();
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(event) => props.onChange(event.target.value)}>
        {(tenants.data ?? []).map((tenant) => (
          <option key={tenant.id} value={tenant.id}>
            {tenant.name} ({tenant.id})
          </option>
        ))}
      </select>
    </label>
  );
}

function RoleSelect(props: { value: Role; onChange: (value: Role) => void }) {
  const { t } = useTranslation();
  return (
    <label>
      {t('users.role')}
      <select value={props.value} onChange={(event) => props.onChange(event.target.value as Role)}>
        {ROLES.map((role) => (
          <option key={role} value={role}>
            {t(`roles.${role}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A create form: its fields, then the last attempt's error and the create button. */
function CreateForm<T>(props: {
  testId: string;
  create: () => Promise<T>;
  onCreated: (answer: T) => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const create = useMutation({ mutationFn: props.create, onSuccess: props.onCreated });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="panel form" onSubmit={submit} data-testid={props.testId}>
      {props.children}
      {create.isError ? <ErrorMessage error={create.error} /> : null}
      <button type="submit" className="primary" disabled={create.isPending}>
        {t('admin.create')}
      </button>
    </form>
  );
}

/** New console user: e-mail, initial password, role (none above the caller's), tenant. */
function NewUserForm(props: { onDone: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [tenant, setTenant] = useState('');
  return (
    <CreateForm
      testId="user-form"
      create={() =>
        unwrap(
          api.POST('/api/v1/users', {
            body: { email, password, role, ...(tenant ? { tenant } : {}) },
          }),
        )
      }
      onCreated={props.onDone}
    >
      <label>
        {t('login.email')}
        <input
          type="email"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
      </label>
      <label>
        {t('admin.password')}
        <input
          type="password"
          autoComplete="new-password"
          minLength={8}
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </label>
      <RoleSelect value={role} onChange={setRole} />
      <TenantSelect label={t('admin.tenant')} value={tenant} onChange={setTenant} />
    </CreateForm>
  );
}

/** New API key: name, role, tenant; the answer's secret is shown once. */
function NewKeyForm(props: { onCreated: (key: string) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [tenant, setTenant] = useState('');
  return (
    <CreateForm
      testId="key-form"
      create={() =>
        unwrap(api.POST('/api/v1/keys', { body: { name, role, ...(tenant ? { tenant } : {}) } }))
      }
      onCreated={(answer) => props.onCreated(answer.key)}
    >
      <label>
        {t('users.name')}
        <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <RoleSelect value={role} onChange={setRole} />
      <TenantSelect label={t('admin.tenant')} value={tenant} onChange={setTenant} />
    </CreateForm>
  );
}

/** New customer or agent tenant under one of the caller's subtree. */
function NewTenantForm(props: { onDone: () => void }) {
  const { t } = useTranslation();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'customer' | 'agent'>('customer');
  const [parent, setParent] = useState('');
  return (
    <CreateForm
      testId="tenant-form"
      create={() =>
        unwrap(
          api.POST('/api/v1/tenants', {
            body: { id, name, kind, ...(parent ? { parent } : {}) },
          }),
        )
      }
      onCreated={props.onDone}
    >
      <label>
        {t('admin.tenantId')}
        <input
          required
          pattern="[a-z0-9][a-z0-9\-]{0,62}"
          value={id}
          onChange={(event) => setId(event.target.value)}
        />
      </label>
      <label>
        {t('users.name')}
        <input required value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <label>
        {t('users.kind')}
        <select
          value={kind}
          onChange={(event) => setKind(event.target.value as 'customer' | 'agent')}
        >
          <option value="customer">{t('users.kinds.customer')}</option>
          <option value="agent">{t('users.kinds.agent')}</option>
        </select>
      </label>
      <TenantSelect label={t('users.parent')} value={parent} onChange={setParent} />
    </CreateForm>
  );
}

/** Users, API keys and tenants of the caller's subtree: listed, created; keys revoked; 划卡. */
export function UsersPage() {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const client = useQueryClient();
  const tenants = useTenants();
  const [form, setForm] = useState<'user' | 'key' | 'tenant' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<KeyRow | null>(null);
  const reload = (path: string) => client.invalidateQueries({ queryKey: ['resource', path] });
  const toggle = (which: 'user' | 'key' | 'tenant') => setForm(form === which ? null : which);
  const revoke = useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/v1/keys/{id}/revoke', { params: { path: { id } } })),
    onSuccess: () => {
      setRevoking(null);
      void reload('/api/v1/keys');
    },
  });
  return (
    <section>
      <h1>{t('nav.users')}</h1>
      <div className="page-head">
        <h2>{t('users.users')}</h2>
        <button type="button" onClick={() => toggle('user')} data-testid="user-new">
          {t('admin.newUser')}
        </button>
      </div>
      {form === 'user' ? (
        <NewUserForm
          onDone={() => {
            setForm(null);
            void reload('/api/v1/users');
          }}
        />
      ) : null}
      <ResourceTable<UserRow>
        path="/api/v1/users"
        listKey="users"
        testId="users-table"
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
      <div className="page-head">
        <h2>{t('users.keys')}</h2>
        <button type="button" onClick={() => toggle('key')} data-testid="key-new">
          {t('admin.newKey')}
        </button>
      </div>
      {secret ? (
        <SecretOnce title={t('admin.keyCreated')} secret={secret} onDone={() => setSecret(null)} />
      ) : null}
      {form === 'key' ? (
        <NewKeyForm
          onCreated={(key) => {
            setForm(null);
            setSecret(key);
            void reload('/api/v1/keys');
          }}
        />
      ) : null}
      {revoke.isError ? <ErrorMessage error={revoke.error} /> : null}
      <ResourceTable<KeyRow>
        path="/api/v1/keys"
        listKey="keys"
        testId="keys-table"
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
          {
            header: '',
            cell: (row) =>
              row.revokedAt ? null : (
                <button type="button" onClick={() => setRevoking(row)}>
                  {t('admin.revoke')}
                </button>
              ),
          },
        ]}
      />
      {revoking ? (
        <ConfirmDialog
          title={t('admin.revokeTitle', { name: revoking.name })}
          confirmLabel={t('admin.revoke')}
          busy={revoke.isPending}
          onConfirm={() => revoke.mutate(revoking.id)}
          onCancel={() => setRevoking(null)}
        >
          {t('admin.revokeBody')}
        </ConfirmDialog>
      ) : null}
      <div className="page-head">
        <h2>{t('users.tenants')}</h2>
        <button type="button" onClick={() => toggle('tenant')} data-testid="tenant-new">
          {t('admin.newTenant')}
        </button>
      </div>
      {form === 'tenant' ? (
        <NewTenantForm
          onDone={() => {
            setForm(null);
            void reload('/api/v1/tenants');
          }}
        />
      ) : null}
      <ResourceTable<TenantRow>
        path="/api/v1/tenants"
        listKey="tenants"
        testId="tenants-table"
        rowKey={(row) => row.id}
        columns={[
          { header: 'ID', cell: (row) => row.id },
          { header: t('users.name'), cell: (row) => row.name },
          { header: t('users.kind'), cell: (row) => t(`users.kinds.${row.kind}`) },
          { header: t('users.parent'), cell: (row) => row.parent ?? '—' },
        ]}
      />
      <CardAssignment tenants={tenants.data ?? []} />
    </section>
  );
}
