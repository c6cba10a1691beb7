import { useInfiniteQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import type { components } from '../../api/schema.js';
import { codedText } from '../../components/alert-text.js';
import { actorLabel, auditActionLabel } from '../../components/labels.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { StatusBadge } from '../../components/status-badge.js';
import { formatBytes, formatInstant } from '../../format.js';

/** One entry of `GET /api/v1/cards/{id}/timeline`. */
type TimelineItem = components['schemas']['TimelineItem'];
type Kind = TimelineItem['kind'];
type SupplierPart = components['schemas']['TimelineSupplierPart'];

const KINDS: readonly Kind[] = [
  'status',
  'identity',
  'action',
  'alert',
  'sms',
  'usage',
  'supplier',
];

/** A sign per kind, beside its label (never alone: the label says it in words). */
const ICONS: Record<Kind, string> = {
  status: '◉',
  identity: '⇆',
  action: '▶',
  alert: '⚠',
  sms: '✉',
  usage: '▲',
  supplier: '⇄',
};

const PAGE = 30;

/**
 * What happened to one card, newest first, from `GET /api/v1/cards/{id}/timeline`: status
 * changes with their source, identifier changes (a new IMEI: another device), actions and who
 * did them, alerts, texts, usage spikes, and where the card's supplier offers them its own
 * history and session. "Load more" reads the next page.
 */
export function CardTimeline(props: { cardId: number; askSupplier: boolean }) {
  const { t, i18n } = useTranslation();
  const [kind, setKind] = useState<Kind | ''>('');
  const timeline = useInfiniteQuery({
    queryKey: ['card-timeline', props.cardId, kind, props.askSupplier],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/cards/{id}/timeline', {
          params: {
            path: { id: props.cardId },
            query: {
              limit: PAGE,
              ...(pageParam ? { before: pageParam } : {}),
              ...(kind ? { kinds: kind } : {}),
              ...(props.askSupplier ? { supplier: 'true' as const } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextBefore,
  });
  const items = timeline.data?.pages.flatMap((page) => page.items) ?? [];
  const supplier = timeline.data?.pages[0]?.supplier;

  return (
    <div className="panel" data-testid="card-timeline">
      <div className="panel-head">
        <h2>{t('timeline.title')}</h2>
        <label>
          {t('timeline.kind')}{' '}
          <select
            value={kind}
            data-testid="timeline-kind"
            onChange={(event) => setKind(event.target.value as Kind | '')}
          >
            <option value="">{t('timeline.allKinds')}</option>
            {KINDS.map((value) => (
              <option key={value} value={value}>
                {t(`timeline.kinds.${value}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {supplier ? <SupplierNote history={supplier.history} session={supplier.session} /> : null}
      {timeline.isPending ? (
        <Loading />
      ) : timeline.isError ? (
        <ErrorMessage error={timeline.error} />
      ) : items.length === 0 ? (
        <Empty>{t('timeline.none')}</Empty>
      ) : (
        <ol className="timeline card-timeline">
          {items.map((item) => (
            <li key={item.key} className={`timeline-${item.kind}`} data-kind={item.kind}>
              <span className="timeline-kind">
                <span className="timeline-icon" aria-hidden="true">
                  {ICONS[item.kind]}
                </span>{' '}
                {t(`timeline.kinds.${item.kind}`)}
              </span>
              <span className="timeline-what">{describe(t, item)}</span>
              <time className="muted" dateTime={item.at}>
                {formatInstant(item.at, i18n.language)}
              </time>
            </li>
          ))}
        </ol>
      )}
      {timeline.hasNextPage ? (
        <button
          type="button"
          data-testid="timeline-more"
          disabled={timeline.isFetchingNextPage}
          onClick={() => void timeline.fetchNextPage()}
        >
          {t('timeline.more')}
        </button>
      ) : null}
    </div>
  );
}

/** Why the supplier's part is missing, when it is. */
function SupplierNote(props: { history: SupplierPart; session: SupplierPart }) {
  const { t } = useTranslation();
  const failed = [props.history, props.session].find((part) => part.state === 'failed');
  if (!failed) return null;
  return (
    <p className="notice" role="note" data-testid="timeline-supplier-failed">
      {t('timeline.supplierFailed', {
        reason: t(`errors.${failed.error?.code ?? 'internal'}`, {
          defaultValue: failed.error?.message ?? '',
        }),
      })}
    </p>
  );
}

function describe(t: TFunction, item: TimelineItem) {
  switch (item.kind) {
    case 'status':
      return (
        <>
          {item.previousStatus ? (
            <>
              <StatusBadge status={item.previousStatus} /> →{' '}
            </>
          ) : null}
          <StatusBadge status={item.status} raw={item.statusRaw} />{' '}
          <span className="muted">{t('timeline.by', { who: actorLabel(t, item.source) })}</span>
        </>
      );
    case 'identity':
      return (
        <>
          {item.identity === 'imei'
            ? t('timeline.deviceChanged', { previous: item.previous, value: item.value })
            : t('timeline.identityChanged', {
                identifier: item.identity.toUpperCase(),
                previous: item.previous,
                value: item.value,
              })}{' '}
          <span className="muted">{t('timeline.by', { who: actorLabel(t, item.source) })}</span>
        </>
      );
    case 'action':
      return (
        <>
          {auditActionLabel(t, item.action)} · {t(`audit.outcomes.${item.outcome}`)}{' '}
          <span className="muted">
            {t('timeline.by', { who: actorLabel(t, item.actor) })}
            {item.job !== null ? ` · ${t('actors.jobNumbered', { id: item.job })}` : ''}
          </span>
        </>
      );
    case 'alert':
      return (
        <>
          <span className={`severity severity-${item.severity}`}>
            {t(`dashboard.severity.${item.severity}`)}
          </span>{' '}
          {codedText(t, item)}
          {item.state === 'acknowledged' ? (
            <span className="muted"> · {t('alerts.acknowledged')}</span>
          ) : null}
        </>
      );
    case 'sms':
      return (
        <>
          {item.direction === 'in' ? t('sms.inbound') : t('sms.outbound')} ·{' '}
          {t(`sms.states.${item.smsStatus}`)}: <q className="sms-text">{item.text}</q>
          {item.actor ? (
            <span className="muted"> {t('timeline.by', { who: actorLabel(t, item.actor) })}</span>
          ) : null}
        </>
      );
    case 'usage':
      return t('timeline.usageSpike', {
        date: item.date,
        bytes: formatBytes(item.bytes),
        average: formatBytes(item.averageBytes),
      });
    case 'supplier':
      return (
        <>
          {t(`timeline.supplierKinds.${item.supplierKind}`)}
          {item.online !== null
            ? ` · ${item.online ? t('timeline.online') : t('timeline.offline')}`
            : ''}
          {item.status ? (
            <>
              {' '}
              <StatusBadge status={item.status} raw={item.statusRaw} />
            </>
          ) : null}
          {item.description ? (
            <>
              {' '}
              <span className="mono supplier-said" translate="no">
                {item.description}
              </span>
            </>
          ) : null}
        </>
      );
  }
}
