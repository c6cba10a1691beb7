import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { planBulk } from '../../api/bulk-api.js';
import { api, unwrap } from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { filterExpressionText } from '../../components/labels.js';
import { ErrorMessage } from '../../components/states.js';
import { hasRole, useMe } from '../../session.js';
import { usePlans } from './plans-page.js';

/**
 * The cards bulk bar's "put on a plan": the selected cards, or every card matching the filter,
 * go on a plan picked by name (`POST /api/v1/plans/{id}/assign`), with an expiry date when given.
 * Plans are the operator's: shown to the root tenant's admins only. The outcome stays beside the
 * button, and so does the selection (it used to be cleared, which hid the outcome with the bar).
 */
export function AssignPlanButton(props: {
  selectedIds: number[];
  allMatching: boolean;
  filter: string | null;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const me = useMe();
  const client = useQueryClient();
  const allowed = me.data ? hasRole(me.data.role, 'admin') && me.data.tenant === 'root' : false;
  const [open, setOpen] = useState(false);
  const plans = usePlans(allowed && open);
  const [planId, setPlanId] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<number | null>(null);
  const byFilter = props.allMatching && props.filter !== null;
  // Every card matching the filter: how many, as a bulk job would count them, before confirming.
  const matching = useQuery({
    queryKey: ['plan-assign-count', props.filter],
    queryFn: () => planBulk({ filter: props.filter as string }),
    enabled: allowed && open && byFilter,
  });
  if (!allowed) return null;
  const close = () => {
    setOpen(false);
    setError(null);
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await unwrap(
        api.POST('/api/v1/plans/{id}/assign', {
          params: { path: { id: Number(planId) } },
          body: {
            ...(byFilter ? { filter: props.filter as string } : { cards: props.selectedIds }),
            ...(expiresOn ? { expiresOn } : {}),
          },
        }),
      );
      setDone(answer.assigned);
      close();
      // The selection stays, with the outcome beside the button (as for pools); the list reads
      // its cards' plans and quota use again.
      void client.invalidateQueries({ queryKey: ['card-plans'] });
      void client.invalidateQueries({ queryKey: ['cards'] });
      void client.invalidateQueries({ queryKey: ['plans'] });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        disabled={props.disabled}
        data-action="plan"
        onClick={() => {
          setDone(null);
          setOpen(true);
        }}
      >
        {t('plansPage.assign')}
      </button>
      {done !== null ? (
        <span className="muted bulk-outcome" data-testid="plan-assigned">
          {t('plansPage.assigned', { count: done })}
        </span>
      ) : null}
      {open ? (
        <ConfirmDialog
          title={t('plansPage.assign')}
          confirmLabel={t('plansPage.assignConfirm', {
            count: byFilter ? (matching.data?.total ?? '…') : props.selectedIds.length,
          })}
          busy={busy || planId === ''}
          onConfirm={() => void confirm()}
          onCancel={close}
        >
          {byFilter ? (
            <p>
              {t('plansPage.assignAll', { filter: filterExpressionText(t, props.filter ?? '') })}
            </p>
          ) : null}
          {plans.data && plans.data.length === 0 ? <p>{t('plansPage.noPlans')}</p> : null}
          <label>
            {t('plansPage.plan')}
            <select
              name="plan"
              value={planId}
              onChange={(event) => setPlanId(event.target.value)}
              data-testid="plan-choice"
            >
              <option value="">{t('plansPage.choosePlan')}</option>
              {(plans.data ?? []).map((plan) => (
                <option key={plan.id} value={plan.id}>
                  {plan.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('plansPage.expiresOn')}
            <input
              type="date"
              name="expiresOn"
              value={expiresOn}
              title={t('plansPage.keepExpiry')}
              onChange={(event) => setExpiresOn(event.target.value)}
            />
          </label>
          <p className="muted">{t('plansPage.keepExpiry')}</p>
          {plans.isError ? <ErrorMessage error={plans.error} /> : null}
          {matching.isError ? <ErrorMessage error={matching.error} /> : null}
          {error ? <ErrorMessage error={error} /> : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
