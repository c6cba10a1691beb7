import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import { type BulkChoiceTarget, useBulkChoice } from '../../components/bulk-choice.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { filterExpressionText } from '../../components/labels.js';
import { ErrorMessage } from '../../components/states.js';
import { usePlans } from './plans-page.js';

/**
 * The cards bulk bar's "put on a plan": the selected cards, or every card matching the filter,
 * go on a plan picked by name (`POST /api/v1/plans/{id}/assign`), with an expiry date when given.
 * Plans are the operator's: shown to the root tenant's admins only. The outcome stays beside the
 * button, and so does the selection (it used to be cleared, which hid the outcome with the bar).
 */
export function AssignPlanButton(props: BulkChoiceTarget & { disabled?: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const choice = useBulkChoice<number>(props, 'plan-assign-count');
  const plans = usePlans(choice.allowed && choice.open);
  const [planId, setPlanId] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  if (!choice.allowed) return null;
  const confirm = () =>
    choice.run(async () => {
      const answer = await unwrap(
        api.POST('/api/v1/plans/{id}/assign', {
          params: { path: { id: Number(planId) } },
          body: { ...choice.cards, ...(expiresOn ? { expiresOn } : {}) },
        }),
      );
      // The list reads its cards' plans and quota use again.
      void client.invalidateQueries({ queryKey: ['card-plans'] });
      void client.invalidateQueries({ queryKey: ['cards'] });
      void client.invalidateQueries({ queryKey: ['plans'] });
      return answer.assigned;
    });
  return (
    <>
      <button type="button" disabled={props.disabled} data-action="plan" onClick={choice.start}>
        {t('plansPage.assign')}
      </button>
      {choice.done !== null ? (
        <span className="muted bulk-outcome" data-testid="plan-assigned">
          {t('plansPage.assigned', { count: choice.done })}
        </span>
      ) : null}
      {choice.open ? (
        <ConfirmDialog
          title={t('plansPage.assign')}
          confirmLabel={t('plansPage.assignConfirm', { count: choice.count })}
          busy={choice.busy || planId === ''}
          onConfirm={() => void confirm()}
          onCancel={choice.close}
        >
          {choice.byFilter ? (
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
          {choice.matching.isError ? <ErrorMessage error={choice.matching.error} /> : null}
          {choice.error ? <ErrorMessage error={choice.error} /> : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
