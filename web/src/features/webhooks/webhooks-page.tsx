import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { SecretOnce } from '../../components/secret-once.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatInstant } from '../../format.js';
import { type Endpoint, WebhookEditor } from './webhook-editor.js';

/** Webhook endpoints of the caller's tenant, their deliveries, and redelivery of one. */
export function WebhooksPage() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [endpoint, setEndpoint] = useState<number | null>(null);
  const [editing, setEditing] = useState<Endpoint | 'new' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Endpoint | null>(null);
  const reload = () => client.invalidateQueries({ queryKey: ['webhooks'] });
  const toggle = useMutation({
    mutationFn: (row: Endpoint) =>
      unwrap(
        api.PATCH('/api/v1/webhooks/{id}', {
          params: { path: { id: row.id } },
          body: { enabled: !row.enabled },
        }),
      ),
    onSuccess: reload,
  });
  const remove = useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id } } })),
    onSuccess: (_answer, id) => {
      setDeleting(null);
      if (endpoint === id) setEndpoint(null);
      void reload();
    },
  });
  const endpoints = useQuery({
    queryKey: ['webhooks'],
    queryFn: () => unwrap(api.GET('/api/v1/webhooks')),
  });
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', endpoint],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/webhooks/deliveries', {
          params: { query: { limit: 50, ...(endpoint === null ? {} : { endpoint }) } },
        }),
      ),
  });
  const redeliver = useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/v1/webhooks/deliveries/{id}/redeliver', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['webhook-deliveries'] }),
  });
  return (
    <section>
      <div className="page-head">
        <h1>{t('nav.webhooks')}</h1>
        <button
          type="button"
          data-testid="webhook-new"
          onClick={() => setEditing(editing === 'new' ? null : 'new')}
        >
          {t('admin.newWebhook')}
        </button>
      </div>
      {secret ? (
        <SecretOnce title={t('admin.secretTitle')} secret={secret} onDone={() => setSecret(null)} />
      ) : null}
      {editing ? (
        <WebhookEditor
          key={editing === 'new' ? 'new' : editing.id}
          endpoint={editing === 'new' ? null : editing}
          onSaved={(created) => {
            setEditing(null);
            if (created) setSecret(created);
            void reload();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {toggle.isError ? <ErrorMessage error={toggle.error} /> : null}
      {remove.isError ? <ErrorMessage error={remove.error} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={t('admin.deleteWebhookTitle')}
          confirmLabel={t('admin.delete')}
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting.id)}
          onCancel={() => setDeleting(null)}
        >
          {t('admin.deleteWebhookBody', { url: deleting.url })}
        </ConfirmDialog>
      ) : null}
      {endpoints.isPending ? (
        <Loading />
      ) : endpoints.isError ? (
        <ErrorMessage error={endpoints.error} />
      ) : endpoints.data.endpoints.length === 0 ? (
        <Empty>{t('webhooks.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="webhook-endpoints">
            <thead>
              <tr>
                <th>URL</th>
                <th>{t('webhooks.events')}</th>
                <th>{t('users.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {endpoints.data.endpoints.map((row) => (
                <tr key={row.id} className={endpoint === row.id ? 'selected' : ''}>
                  <td className="mono">{row.url}</td>
                  <td>
                    {row.eventTypes.length > 0
                      ? row.eventTypes.join(', ')
                      : t('webhooks.allEvents')}
                  </td>
                  <td>{row.enabled ? t('users.enabled') : t('users.disabled')}</td>
                  <td>
                    <div className="actions">
                      <button
                        type="button"
                        className="link"
                        onClick={() => setEndpoint(endpoint === row.id ? null : row.id)}
                      >
                        {t('webhooks.showDeliveries')}
                      </button>
                      <button type="button" onClick={() => setEditing(row)}>
                        {t('admin.edit')}
                      </button>
                      <button
                        type="button"
                        disabled={toggle.isPending}
                        onClick={() => toggle.mutate(row)}
                      >
                        {row.enabled ? t('admin.disable') : t('admin.enable')}
                      </button>
                      <button type="button" onClick={() => setDeleting(row)}>
                        {t('admin.delete')}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>{t('webhooks.deliveries')}</h2>
      {redeliver.isError ? <ErrorMessage error={redeliver.error} /> : null}
      {redeliver.isSuccess ? (
        <p className="muted" role="status">
          {t('webhooks.redelivered', {
            status: redeliver.data.attempt.statusCode ?? redeliver.data.attempt.error ?? '—',
          })}
        </p>
      ) : null}
      {deliveries.isPending ? (
        <Loading />
      ) : deliveries.isError ? (
        <ErrorMessage error={deliveries.error} />
      ) : deliveries.data.deliveries.length === 0 ? (
        <Empty>{t('webhooks.noDeliveries')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="webhook-deliveries">
            <thead>
              <tr>
                <th>{t('audit.at')}</th>
                <th>{t('webhooks.event')}</th>
                <th>{t('users.state')}</th>
                <th>{t('webhooks.attempts')}</th>
                <th>{t('webhooks.lastAnswer')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {deliveries.data.deliveries.map((row) => (
                <tr key={row.id}>
                  <td>{formatInstant(row.createdAt, i18n.language)}</td>
                  <td className="mono">{row.eventType}</td>
                  <td>
                    <span className={`badge badge-delivery-${row.state}`}>
                      {t(`webhooks.states.${row.state}`)}
                    </span>
                  </td>
                  <td>{row.attempts}</td>
                  <td className="muted">{row.lastStatus ?? row.lastError ?? '—'}</td>
                  <td>
                    <button
                      type="button"
                      disabled={redeliver.isPending}
                      onClick={() => redeliver.mutate(row.id)}
                    >
                      {t('webhooks.redeliver')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
