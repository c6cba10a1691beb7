import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type BulkAction, createBulkJob } from '../../api/bulk-api.js';
import { api, unwrap } from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { JobProgress } from '../../components/job-progress.js';
import { supplierLabel } from '../../components/labels.js';
import { ErrorMessage, Loading } from '../../components/states.js';
import { StatusBadge } from '../../components/status-badge.js';
import { formatBytes } from '../../format.js';
import { CardCarrierCap, CardSupplierView } from './card-carrier.js';
import { CardPlan } from './card-plan.js';
import { CardSms } from './card-sms.js';
import { CardTimeline } from './card-timeline.js';
import { CardUsageCharts } from './card-usage-charts.js';

/** Which capability each action needs (src/suppliers/spec/supplier-spec.ts `CAPABILITIES`). */
const ACTION_CAPABILITY: Record<BulkAction, string> = {
  pause: 'lifecycle',
  resume: 'lifecycle',
  activate: 'lifecycle',
  sms: 'sms.send',
};

/** What the card answer says its supplier can do (null lists: unknown, nothing is refused). */
interface Abilities {
  capabilities?: string[] | null;
  lifecycleActions?: string[] | null;
}

/** Whether the card's supplier can do an action, and why not (null when it can). */
function refusal(abilities: Abilities, action: BulkAction, t: TFunction): string | null {
  const { capabilities, lifecycleActions } = abilities;
  if (!capabilities) return null;
  const can =
    capabilities.includes(ACTION_CAPABILITY[action]) &&
    (action === 'sms' || !lifecycleActions || lifecycleActions.includes(action));
  return can ? null : t('card.unsupported', { action: t(`actions.${action}`) });
}

/** One card: identities, status, usage, its timeline (statuses, actions, alerts, texts…), SMS and actions. */
export function CardDetailPage(props: { id: number }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState<BulkAction | null>(null);
  const [jobId, setJobId] = useState<number | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const path = { id: props.id };
  const card = useQuery({
    queryKey: ['card', props.id],
    queryFn: () => unwrap(api.GET('/api/v1/cards/{id}', { params: { path } })),
  });
  if (card.isPending) return <Loading />;
  if (card.isError) return <ErrorMessage error={card.error} />;
  const view = card.data;
  const abilities = view as Abilities;
  const run = async (action: BulkAction) => {
    setConfirming(null);
    setActionError(null);
    try {
      const job = await createBulkJob(action, { cardIds: [view.id] });
      setJobId(job.id);
    } catch (error) {
      setActionError(error);
    }
  };
  const identities: [string, string | null][] = [
    ['ICCID', view.iccid],
    ['MSISDN', view.msisdn],
    ['IMSI', view.imsi],
    ['IMEI', view.imei],
  ];

  return (
    <section className="card-detail">
      <div className="page-head">
        <h1>
          <Link to="/cards">{t('cards.title')}</Link> / <span className="mono">{view.iccid}</span>
        </h1>
        <div className="actions">
          {(['pause', 'resume', 'activate'] as const).map((action) => {
            const reason = refusal(abilities, action, t);
            return (
              <button
                key={action}
                type="button"
                disabled={reason !== null}
                title={reason ?? undefined}
                onClick={() => setConfirming(action)}
              >
                {t(`actions.${action}`)}
              </button>
            );
          })}
        </div>
      </div>
      {view.sameIccid && view.sameIccid.length > 0 ? (
        <p className="notice" role="note" data-testid="same-iccid">
          {t('duplicates.cardNotice', { account: view.account })}{' '}
          {view.sameIccid.map((other, index) => (
            <span key={other.id}>
              {index > 0 ? t('common.listSeparator') : null}
              <Link to="/cards/$cardId" params={{ cardId: other.id }}>
                {other.account} #{other.id}
              </Link>
            </span>
          ))}
        </p>
      ) : null}
      {actionError ? <ErrorMessage error={actionError} /> : null}
      {jobId !== null ? (
        <JobProgress
          jobId={jobId}
          onFinished={() => {
            void client.invalidateQueries({ queryKey: ['card', props.id] });
            void client.invalidateQueries({ queryKey: ['card-timeline', props.id] });
          }}
        />
      ) : null}
      <div className="grid-3">
        <div className="panel">
          <h2>{t('card.identities')}</h2>
          <dl className="facts">
            {identities.map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd className="mono">{value ?? '—'}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div className="panel">
          <h2>{t('card.supplierStatus')}</h2>
          <dl className="facts">
            <div>
              <dt>{t('cards.columns.status')}</dt>
              <dd>
                <StatusBadge status={view.status} raw={view.statusRaw} />
                {view.status === 'unknown' &&
                view.capabilities &&
                !view.capabilities.includes('status') ? (
                  <div className="muted why-unknown" data-testid="status-not-reported">
                    {t('whyUnknown.card')}
                  </div>
                ) : null}
              </dd>
            </div>
            <div>
              <dt>{t('card.rawStatus')}</dt>
              <dd className="mono" data-testid="raw-status">
                {view.statusRaw ?? '—'}
              </dd>
            </div>
            <div>
              <dt>{t('cards.columns.supplier')}</dt>
              <dd>{supplierLabel(t, view.supplier)}</dd>
            </div>
            <div>
              <dt>{t('cards.columns.account')}</dt>
              <dd>{view.account}</dd>
            </div>
            <div>
              <dt>{t('cards.columns.tenant')}</dt>
              <dd>{view.tenant ?? '—'}</dd>
            </div>
          </dl>
        </div>
        <div className="panel">
          <h2>
            {view.usageCycle && !view.usageCycle.calendarMonth
              ? t('cardExtras.thisCycle')
              : t('card.thisMonth')}
          </h2>
          <p className="figure" data-testid="usage-this-month">
            {formatBytes(view.usageThisMonth)}
          </p>
          {view.usageCycle ? (
            <p className="muted" data-testid="usage-cycle">
              {t('cardExtras.cycleRange', {
                start: view.usageCycle.start,
                end: view.usageCycle.end,
                month: view.usageCycle.month,
              })}
            </p>
          ) : null}
          <CardPlan cardId={view.id} />
          <div className="tags">
            {view.tags.map((tag) => (
              <span key={tag} className="tag">
                {tag}
              </span>
            ))}
          </div>
        </div>
      </div>
      <CardUsageCharts cardId={view.id} />
      <div className="grid-2">
        <CardCarrierCap cardId={view.id} extras={view.extras} />
        <CardSupplierView cardId={view.id} extras={view.extras} />
      </div>
      <CardTimeline
        cardId={view.id}
        askSupplier={view.extras.includes('history') || view.extras.includes('session')}
      />
      <CardSms
        cardId={view.id}
        canSend={refusal(abilities, 'sms', t) === null}
        reason={refusal(abilities, 'sms', t)}
      />
      {confirming ? (
        <ConfirmDialog
          title={t(`actions.${confirming}`)}
          confirmLabel={t(`actions.${confirming}`)}
          onConfirm={() => void run(confirming)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            {t('cards.bulk.summary', {
              count: 1,
              action: t(`actions.${confirming}`),
              suppliers: view.supplier,
            })}
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** The card of the URL, `/cards/42`. */
export function CardDetailRoute() {
  const { cardId } = useParams({ from: '/cards/$cardId' });
  return <CardDetailPage id={cardId} />;
}
