import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import type { components } from '../../api/schema.js';
import {
  type ByteSize,
  ByteSizeInput,
  byteSizeOf,
  bytesOf,
} from '../../components/byte-size-input.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatBytes, formatCount } from '../../format.js';
import { hasRole, useMe } from '../../session.js';

export type Plan = components['schemas']['Plan'];

/** Every plan, for pickers (the bulk bar, the rules page); the same query the plans page reads. */
export function usePlans(enabled = true) {
  return useQuery({
    queryKey: ['plans'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/plans'))).plans,
    enabled,
    staleTime: 30_000,
  });
}

interface Draft {
  name: string;
  quota: ByteSize;
  cycleStartDay: string;
}

/** Create or edit a plan: name, quota per cycle (empty: none) and the day cycles start. */
function PlanEditor(props: { plan: Plan | null; onSaved: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft>({
    name: props.plan?.name ?? '',
    quota: byteSizeOf(props.plan?.quotaBytes ?? null),
    cycleStartDay: String(props.plan?.cycleStartDay ?? 1),
  });
  const set = (changes: Partial<Draft>) => setDraft({ ...draft, ...changes });
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: draft.name.trim(),
        quotaBytes: bytesOf(draft.quota),
        cycleStartDay: Number(draft.cycleStartDay),
      };
      return props.plan
        ? unwrap(api.PATCH('/api/v1/plans/{id}', { params: { path: { id: props.plan.id } }, body }))
        : unwrap(api.POST('/api/v1/plans', { body }));
    },
    onSuccess: props.onSaved,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form className="panel form" onSubmit={submit} data-testid="plan-editor">
      <label>
        {t('plansPage.name')}
        <input
          name="name"
          required
          maxLength={100}
          value={draft.name}
          onChange={(event) => set({ name: event.target.value })}
        />
      </label>
      <ByteSizeInput
        label={t('plansPage.quota')}
        hint={t('plansPage.quotaHint')}
        value={draft.quota}
        onChange={(quota) => set({ quota })}
        testId="plan-quota"
      />
      <label>
        {t('plansPage.cycleStartDay')}
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
          {t('plansPage.save')}
        </button>
      </div>
      {save.isError ? <ErrorMessage error={save.error} /> : null}
    </form>
  );
}

/**
 * Plans (套餐): each plan's quota, billing cycle, the cards on it (the kept fleet figures) and
 * their expiry dates; admins of the operator create, edit and delete them.
 */
export function PlansPage() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const me = useMe();
  const plans = usePlans();
  const [editing, setEditing] = useState<Plan | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Plan | null>(null);
  const canEdit = me.data ? hasRole(me.data.role, 'admin') && me.data.tenant === 'root' : false;
  const refresh = () => void client.invalidateQueries({ queryKey: ['plans'] });
  const remove = useMutation({
    mutationFn: (plan: Plan) =>
      unwrap(api.DELETE('/api/v1/plans/{id}', { params: { path: { id: plan.id } } })),
    onSuccess: () => {
      setDeleting(null);
      refresh();
    },
  });
  return (
    <section>
      <div className="page-head">
        <h1>{t('plansPage.title')}</h1>
        {canEdit ? (
          <button type="button" onClick={() => setEditing('new')}>
            {t('plansPage.create')}
          </button>
        ) : null}
      </div>
      {editing ? (
        <PlanEditor
          key={editing === 'new' ? 'new' : editing.id}
          plan={editing === 'new' ? null : editing}
          onSaved={() => {
            setEditing(null);
            refresh();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {plans.isPending ? (
        <Loading />
      ) : plans.isError ? (
        <ErrorMessage error={plans.error} />
      ) : plans.data.length === 0 ? (
        <Empty>{t('plansPage.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="plans-table">
            <thead>
              <tr>
                <th>{t('plansPage.name')}</th>
                <th>{t('plansPage.quota')}</th>
                <th>{t('plansPage.cycle')}</th>
                <th>{t('plansPage.cards')}</th>
                <th>{t('plansPage.nextExpiry')}</th>
                <th>{t('plansPage.expiringSoon')}</th>
                <th>{t('plansPage.expired')}</th>
                <th>{t('plansPage.lastExpiry')}</th>
                {canEdit ? <th /> : null}
              </tr>
            </thead>
            <tbody>
              {plans.data.map((plan) => (
                <tr key={plan.id} data-plan={plan.name}>
                  <td>{plan.name}</td>
                  <td>
                    {plan.quotaBytes === null
                      ? t('plansPage.noQuota')
                      : formatBytes(plan.quotaBytes)}
                  </td>
                  <td>{t('plansPage.cycleDay', { day: plan.cycleStartDay })}</td>
                  <td data-testid="plan-cards">{formatCount(plan.cards, i18n.language)}</td>
                  <td className="mono">{plan.expiry.nextExpiresOn ?? '—'}</td>
                  <td>{formatCount(plan.expiry.expiringSoon, i18n.language)}</td>
                  <td>{formatCount(plan.expiry.expired, i18n.language)}</td>
                  <td className="mono">{plan.expiry.lastExpiresOn ?? '—'}</td>
                  {canEdit ? (
                    <td>
                      <span className="row-actions">
                        <button type="button" onClick={() => setEditing(plan)}>
                          {t('plansPage.edit')}
                        </button>
                        <button type="button" onClick={() => setDeleting(plan)}>
                          {t('plansPage.delete')}
                        </button>
                      </span>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting ? (
        <ConfirmDialog
          title={t('plansPage.deleteTitle', { name: deleting.name })}
          confirmLabel={t('plansPage.deleteConfirm')}
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting)}
          onCancel={() => {
            remove.reset();
            setDeleting(null);
          }}
        >
          <p>{t('plansPage.deleteBody', { count: deleting.cards })}</p>
          {remove.isError ? <ErrorMessage error={remove.error} /> : null}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
