import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import { ErrorMessage, Loading } from '../../components/states.js';
import { formatBytes } from '../../format.js';

/** The card's plan: name, quota and use this cycle, the cycle's dates, expiry and days left. */
export function CardPlan(props: { cardId: number }) {
  const { t } = useTranslation();
  const plan = useQuery({
    queryKey: ['card-plan', props.cardId],
    queryFn: () =>
      unwrap(api.GET('/api/v1/cards/{id}/plan', { params: { path: { id: props.cardId } } })),
  });
  if (plan.isPending) return <Loading />;
  if (plan.isError) return <ErrorMessage error={plan.error} />;
  const view = plan.data;
  return (
    <dl className="facts" data-testid="card-plan">
      <div>
        <dt>{t('cardPlan.plan')}</dt>
        <dd data-testid="card-plan-name">{view.plan?.name ?? t('cardPlan.none')}</dd>
      </div>
      {view.plan ? (
        <>
          <div>
            <dt>{t('cardPlan.quota')}</dt>
            <dd data-testid="card-plan-quota">
              {view.plan.quotaBytes === null
                ? t('cardPlan.noQuota')
                : t('cardPlan.usedOfQuota', {
                    used: formatBytes(view.usedBytes),
                    quota: formatBytes(view.plan.quotaBytes),
                  })}
              {view.percent !== null ? (
                <span className="muted" data-testid="card-plan-percent">
                  {' '}
                  ({view.percent.toFixed(1)} %)
                </span>
              ) : null}
            </dd>
          </div>
          {view.cycle ? (
            <div>
              <dt>{t('cardPlan.cycle')}</dt>
              <dd className="wrap" data-testid="card-plan-cycle">
                {t('cardPlan.cycleDates', {
                  start: view.cycle.start,
                  end: view.cycle.end,
                  days: view.cycle.daysLeft,
                })}
              </dd>
            </div>
          ) : null}
        </>
      ) : null}
      <div>
        <dt>{t('cardPlan.expiresOn')}</dt>
        <dd data-testid="card-plan-expiry">
          {view.expiresOn === null || view.daysLeft === null
            ? t('cardPlan.noExpiry')
            : view.daysLeft < 0
              ? t('cardPlan.expired', { date: view.expiresOn, days: -view.daysLeft })
              : t('cardPlan.daysLeft', { date: view.expiresOn, days: view.daysLeft })}
        </dd>
      </div>
    </dl>
  );
}
