import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import type { paths } from '../../api/schema.js';
import { supplierLabel } from '../../components/labels.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatCount, formatInstant } from '../../format.js';
import { AccountFreshness } from './account-freshness.js';
import { SyncNow } from './sync-now.js';

type AccountType =
  paths['/api/v1/accounts']['post']['requestBody']['content']['application/json']['type'];

/** A supplier's account setting, described as data (src/suppliers/spec/credentials.ts). */
interface CredentialField {
  name: string;
  label: { en: string; 'zh-CN': string };
  kind: 'text' | 'url' | 'secret' | 'map';
  required: boolean;
  example?: string;
  /** The keys of a `map` field (OneLink's ebid per ability), each its own input. */
  keys?: string[];
}

interface SupplierType {
  type: string;
  name: string;
  credentialFields: CredentialField[];
}

/** The add-account form, built from the chosen supplier's credential fields. */
function AddAccountForm(props: { onAdded: () => void }) {
  const { t, i18n } = useTranslation();
  const suppliers = useQuery({
    queryKey: ['suppliers'],
    queryFn: async (): Promise<SupplierType[]> =>
      (await unwrap(api.GET('/api/v1/suppliers'))).suppliers,
  });
  const [type, setType] = useState('');
  const [id, setId] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const settings = () => {
    const result: Record<string, string | Record<string, string>> = {};
    for (const [name, value] of Object.entries(values)) {
      const [field, key] = name.split('.');
      if (key === undefined) result[name] = value;
      else result[field!] = { ...(result[field!] as Record<string, string>), [key]: value };
    }
    return result;
  };
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/accounts', {
          // The select offers only the types GET /suppliers lists: the document's enum.
          body: { id, type: type as AccountType, settings: settings() },
        }),
      ),
    onSuccess: props.onAdded,
  });
  if (suppliers.isPending) return <Loading />;
  if (suppliers.isError) return <ErrorMessage error={suppliers.error} />;
  const chosen = suppliers.data.find((supplier) => supplier.type === type);
  const language = i18n.language === 'en' ? 'en' : 'zh-CN';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <form className="panel form" onSubmit={submit}>
      <label>
        {t('accounts.supplier')}
        <select value={type} onChange={(event) => setType(event.target.value)} required>
          <option value="">—</option>
          {suppliers.data.map((supplier) => (
            <option key={supplier.type} value={supplier.type}>
              {t(`supplierTypes.${supplier.type}`, { defaultValue: supplier.name })}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('accounts.id')}
        <input value={id} onChange={(event) => setId(event.target.value)} required />
      </label>
      {chosen?.credentialFields
        .flatMap((field) =>
          field.kind === 'map'
            ? (field.keys ?? []).map((key) => ({
                ...field,
                name: `${field.name}.${key}`,
                kind: 'text' as const,
                label: {
                  en: `${field.label.en}: ${key}`,
                  'zh-CN': `${field.label['zh-CN']}：${key}`,
                },
              }))
            : [field],
        )
        .map((field) => (
          <label key={field.name}>
            {field.label[language]}
            <input
              type={field.kind === 'secret' ? 'password' : field.kind === 'url' ? 'url' : 'text'}
              required={field.required}
              placeholder={field.example}
              autoComplete="off"
              value={values[field.name] ?? ''}
              onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}
            />
          </label>
        ))}
      {add.isError ? <ErrorMessage error={add.error} /> : null}
      <button type="submit" className="primary" disabled={add.isPending || !chosen}>
        {t('accounts.add')}
      </button>
    </form>
  );
}

/** Supplier accounts: health, calls, test connection, enable/disable, add. */
export function AccountsPage() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [tested, setTested] = useState<Record<string, string>>({});
  const accounts = useQuery({
    queryKey: ['accounts'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts')),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['accounts'] });
  const test = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/accounts/{id}/test', { params: { path: { id } } })),
    onSuccess: (result, id) =>
      setTested({
        ...tested,
        [id]: result.ok
          ? t('accounts.testOk', { milliseconds: Math.round(result.durationMs) })
          : t(`errors.${result.error?.code ?? 'internal'}`, {
              defaultValue: result.error?.message,
            }),
      }),
  });
  const toggle = useMutation({
    mutationFn: (input: { id: string; enable: boolean }) =>
      input.enable
        ? unwrap(api.POST('/api/v1/accounts/{id}/enable', { params: { path: { id: input.id } } }))
        : unwrap(api.POST('/api/v1/accounts/{id}/disable', { params: { path: { id: input.id } } })),
    onSuccess: refresh,
  });
  return (
    <section>
      <div className="page-head">
        <h1>{t('nav.accounts')}</h1>
        <button type="button" onClick={() => setAdding(!adding)}>
          {t('accounts.add')}
        </button>
      </div>
      {adding ? (
        <AddAccountForm
          onAdded={() => {
            setAdding(false);
            void refresh();
          }}
        />
      ) : null}
      {test.isError ? <ErrorMessage error={test.error} /> : null}
      {toggle.isError ? <ErrorMessage error={toggle.error} /> : null}
      {accounts.isPending ? (
        <Loading />
      ) : accounts.isError ? (
        <ErrorMessage error={accounts.error} />
      ) : accounts.data.accounts.length === 0 ? (
        <Empty>{t('accounts.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th>ID</th>
                <th>{t('accounts.supplier')}</th>
                <th>{t('syncRuns.cards')}</th>
                <th>{t('syncRuns.calls')}</th>
                <th>{t('dashboard.syncHealth')}</th>
                <th>{t('accountFreshness.column')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {accounts.data.accounts.map((account) => {
                const run = account.health.lastSyncRun;
                return (
                  <tr key={account.id}>
                    <td>
                      {account.id}
                      {account.enabled ? '' : ` (${t('users.disabled')})`}
                    </td>
                    <td className="wrap">{supplierLabel(t, account.type)}</td>
                    <td>{formatCount(account.health.cards, i18n.language)}</td>
                    <td>{formatCount(account.health.callsSinceStart, i18n.language)}</td>
                    <td className="wrap">
                      {run
                        ? `${t(`syncRuns.states.${run.status}`)} · ${formatInstant(run.startedAt, i18n.language)}`
                        : t('dashboard.neverSynced')}
                    </td>
                    <td className="wrap">
                      <AccountFreshness id={account.id} enabled={account.enabled} />
                    </td>
                    <td>
                      <div className="actions">
                        <button type="button" onClick={() => test.mutate(account.id)}>
                          {t('accounts.test')}
                        </button>
                        <SyncNow account={account.id} disabled={!account.enabled} />
                        <button
                          type="button"
                          onClick={() =>
                            toggle.mutate({ id: account.id, enable: !account.enabled })
                          }
                        >
                          {account.enabled ? t('accounts.disable') : t('accounts.enable')}
                        </button>
                        {tested[account.id] ? (
                          <span className="muted"> {tested[account.id]}</span>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
