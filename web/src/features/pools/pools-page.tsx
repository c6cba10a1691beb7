import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import {
  type ByteSize,
  ByteSizeInput,
  byteSizeOf,
  bytesOf,
} from '../../components/byte-size-input.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ResourceTable } from '../../components/resource-table.js';
import { ErrorMessage } from '../../components/states.js';
import { formatBytes } from '../../format.js';
import { hasRole, useMe } from '../../session.js';

/** A pool with its usage this cycle (`GET /api/v1/pools`). */
interface PoolRow {
  id: number;
  name: string;
  account: string | null;
  source: string;
  quotaBytes: number | null;
  members: number;
  usedBytes: number | null;
  percentUsed: number | null;
  dailyRateBytes: number | null;
  runOutDate: string | null;
  cycle: { startDay: number };
}

const POOLS_PATH = '/api/v1/pools';

interface Draft {
  name: string;
  account: string;
  quota: ByteSize;
  cycleStartDay: string;
}

/** Create or edit a pool: name, its account (or across accounts), quota and cycle start day. */
function PoolEditor(props: { pool: PoolRow | null; onSaved: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft>({
    name: props.pool?.name ?? '',
    account: props.pool?.account ?? '',
    quota: byteSizeOf(props.pool?.quotaBytes ?? null),
    cycleStartDay: String(props.pool?.cycle.startDay ?? 1),
  });
  const set = (changes: Partial<Draft>) => setDraft({ ...draft, ...changes });
  const accounts = useQuery({
    queryKey: ['accounts'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts')),
    staleTime: 60_000,
  });
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: draft.name.trim(),
        account: draft.account === '' ? null : draft.account,
        quotaBytes: bytesOf(draft.quota),
        cycleStartDay: Number(draft.cycleStartDay),
      };
      return props.pool
        ? unwrap(api.PATCH('/api/v1/pools/{id}', { params: { path: { id: props.pool.id } }, body }))
        : unwrap(api.POST('/api/v1/pools', { body }));
    },
    onSuccess: props.onSaved,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="panel form" onSubmit={submit} data-testid="pool-editor">
      <label>
        {t('poolsAdmin.name')}
        <input
          name="name"
          required
          maxLength={100}
          value={draft.name}
          onChange={(event) => set({ name: event.target.value })}
        />
      </label>
      <label>
        {t('poolsAdmin.account')}
        <select
          name="account"
          value={draft.account}
          onChange={(event) => set({ account: event.target.value })}
        >
          <option value="">{t('poolsAdmin.anyAccount')}</option>
          {(accounts.data?.accounts ?? []).map((account) => (
            <option key={account.id} value={account.id}>
              {account.id}
            </option>
          ))}
        </select>
      </label>
      <ByteSizeInput
        label={t('poolsAdmin.quota')}
        hint={t('poolsAdmin.quotaHint')}
        value={draft.quota}
        onChange={(quota) => set({ quota })}
        testId="pool-quota"
      />
      <label>
        {t('poolsAdmin.cycleStartDay')}
        <input
          name="cycleStartDay"
          type="number"
          min={1}
          max={31}
          required
          value={draft.cycleStartDay}
          onChange={(event) => set({ cycleStartDay: event.target.value })}
        />
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary" disabled={save.isPending}>
          {t('poolsAdmin.save')}
        </button>
      </div>
      {save.isError ? <ErrorMessage error={save.error} /> : null}
    </form>
  );
}

/**
 * Shared data pools: usage against quota this cycle and the run-out forecast; the operator's
 * admins create, edit and delete them.
 */
export function PoolsPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const me = useMe();
  const canEdit = me.data ? hasRole(me.data.role, 'admin') && me.data.tenant === 'root' : false;
  const [editing, setEditing] = useState<PoolRow | 'new' | null>(null);
  const [deleting, setDeleting] = useState<PoolRow | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: ['resource', POOLS_PATH] });
  const remove = useMutation({
    mutationFn: (pool: PoolRow) =>
      unwrap(api.DELETE('/api/v1/pools/{id}', { params: { path: { id: pool.id } } })),
    onSuccess: () => {
      setDeleting(null);
      refresh();
    },
  });
  return (
    <section>
      <div className="page-head">
        <h1>{t('nav.pools')}</h1>
        {canEdit ? (
          <button type="button" onClick={() => setEditing('new')}>
            {t('poolsAdmin.create')}
          </button>
        ) : null}
      </div>
      {canEdit ? (
        <p className="muted" data-testid="pool-cards-hint">
          {t('poolCards.hint')} <Link to="/cards">{t('poolCards.toCards')}</Link>
        </p>
      ) : null}
      {editing ? (
        <PoolEditor
          key={editing === 'new' ? 'new' : editing.id}
          pool={editing === 'new' ? null : editing}
          onSaved={() => {
            setEditing(null);
            refresh();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      <ResourceTable<PoolRow>
        path={POOLS_PATH}
        listKey="pools"
        rowKey={(row) => row.id}
        empty={t('pools.none')}
        testId="pools-table"
        columns={[
          { header: t('users.name'), cell: (row) => row.name },
          {
            header: t('cards.columns.account'),
            cell: (row) => row.account ?? t('poolsAdmin.anyAccount'),
          },
          {
            header: t('poolsAdmin.source'),
            cell: (row) =>
              t(`poolsAdmin.sources.${row.source === 'simdock' ? 'simdock' : 'supplier'}`),
          },
          {
            header: t('pools.members'),
            cell: (row) => (
              <span data-testid="pool-members" data-pool={row.name}>
                {row.members}
              </span>
            ),
          },
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
          ...(canEdit
            ? [
                {
                  header: t('poolsAdmin.edit'),
                  cell: (row: PoolRow) => (
                    <span className="row-actions">
                      <button type="button" onClick={() => setEditing(row)}>
                        {t('poolsAdmin.edit')}
                      </button>
                      <button type="button" onClick={() => setDeleting(row)}>
                        {t('poolsAdmin.delete')}
                      </button>
                    </span>
                  ),
                },
              ]
            : []),
        ]}
      />
      {deleting ? (
        <ConfirmDialog
          title={t('poolsAdmin.deleteTitle', { name: deleting.name })}
          confirmLabel={t('poolsAdmin.deleteConfirm')}
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting)}
          onCancel={() => {
            remove.reset();
            setDeleting(null);
          }}
        >
          <p>{t('poolsAdmin.deleteBody', { count: deleting.members })}</p>
          {remove.isError ? <ErrorMessage error={remove.error} /> : null}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
