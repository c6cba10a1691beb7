import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatBytes, formatInstant } from '../../format.js';

/** What the card answer says its supplier offers beyond the contract. */
type Extra = 'carrierCap' | 'session' | 'history' | 'diagnosis';

const MB = 1024 * 1024;

/**
 * The carrier-side data cap (达量断网) of one card: the supplier cuts the card's data at the cap
 * itself, even while simdock is down — not one of simdock's own pause rules. Set, change and
 * cancel go through an audited one-card job (`PUT`/`DELETE /api/v1/cards/{id}/carrier-cap`).
 */
export function CardCarrierCap(props: { cardId: number; extras: readonly Extra[] }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [megabytes, setMegabytes] = useState('');
  const offered = props.extras.includes('carrierCap');
  const path = { id: props.cardId };
  const cap = useQuery({
    queryKey: ['card-carrier-cap', props.cardId],
    enabled: offered,
    queryFn: () => unwrap(api.GET('/api/v1/cards/{id}/carrier-cap', { params: { path } })),
  });
  const change = useMutation({
    mutationFn: (capBytes: number | null) =>
      capBytes === null
        ? unwrap(api.DELETE('/api/v1/cards/{id}/carrier-cap', { params: { path } }))
        : unwrap(
            api.PUT('/api/v1/cards/{id}/carrier-cap', { params: { path }, body: { capBytes } }),
          ),
    onSuccess: () => {
      setMegabytes('');
      void client.invalidateQueries({ queryKey: ['card-carrier-cap', props.cardId] });
      void client.invalidateQueries({ queryKey: ['card-timeline', props.cardId] });
    },
  });
  const wanted = Number(megabytes);
  const valid = megabytes.trim() !== '' && Number.isFinite(wanted) && wanted > 0;

  return (
    <div className="panel" data-testid="carrier-cap">
      <h2>{t('cardExtras.carrierCap')}</h2>
      <p className="muted">{t('cardExtras.carrierCapHelp')}</p>
      {!offered ? (
        <Empty>{t('cardExtras.notOffered')}</Empty>
      ) : cap.isPending ? (
        <Loading />
      ) : cap.isError ? (
        <ErrorMessage error={cap.error} />
      ) : (
        <dl className="facts">
          <div>
            <dt>{t('cardExtras.cap')}</dt>
            <dd data-testid="carrier-cap-value">
              {cap.data.capBytes === null ? t('cardExtras.noCap') : formatBytes(cap.data.capBytes)}
            </dd>
          </div>
          <div>
            <dt>{t('cardExtras.reached')}</dt>
            <dd>
              {cap.data.reached === null
                ? '—'
                : cap.data.reached
                  ? t('cardExtras.reachedYes')
                  : t('cardExtras.reachedNo')}
            </dd>
          </div>
        </dl>
      )}
      {offered ? (
        <form
          className="filters"
          onSubmit={(event) => {
            event.preventDefault();
            if (valid) change.mutate(Math.round(wanted * MB));
          }}
        >
          <label>
            {t('cardExtras.capMb')}{' '}
            <input
              type="number"
              min="1"
              step="any"
              value={megabytes}
              onChange={(event) => setMegabytes(event.target.value)}
            />
          </label>
          <button type="submit" disabled={!valid || change.isPending}>
            {t('cardExtras.setCap')}
          </button>
          <button
            type="button"
            disabled={change.isPending || cap.data?.capBytes === null}
            onClick={() => change.mutate(null)}
          >
            {t('cardExtras.cancelCap')}
          </button>
        </form>
      ) : null}
      {change.isError ? <ErrorMessage error={change.error} /> : null}
    </div>
  );
}

/**
 * The supplier's own view of the card: session and diagnosis, where it offers them (its history
 * is part of the card's timeline, `card-timeline.tsx`).
 */
export function CardSupplierView(props: { cardId: number; extras: readonly Extra[] }) {
  const { t, i18n } = useTranslation();
  const path = { id: props.cardId };
  const has = (extra: Extra) => props.extras.includes(extra);
  const session = useQuery({
    queryKey: ['card-session', props.cardId],
    enabled: has('session'),
    queryFn: () => unwrap(api.GET('/api/v1/cards/{id}/session', { params: { path } })),
  });
  const diagnosis = useQuery({
    queryKey: ['card-diagnosis', props.cardId],
    enabled: has('diagnosis'),
    queryFn: () => unwrap(api.GET('/api/v1/cards/{id}/diagnosis', { params: { path } })),
  });
  if (!has('session') && !has('diagnosis')) return null;
  return (
    <div className="panel" data-testid="supplier-view">
      <h2>{t('cardExtras.supplierView')}</h2>
      {has('session') ? (
        <>
          <h3>{t('cardExtras.session')}</h3>
          {session.isPending ? (
            <Loading />
          ) : session.isError ? (
            <ErrorMessage error={session.error} />
          ) : (
            <dl className="facts">
              <div>
                <dt>{t('cardExtras.online')}</dt>
                <dd>
                  {session.data.online === null
                    ? '—'
                    : session.data.online
                      ? t('cardExtras.yes')
                      : t('cardExtras.no')}
                </dd>
              </div>
              <div>
                <dt>IP</dt>
                <dd className="mono">{session.data.ip ?? '—'}</dd>
              </div>
              <div>
                <dt>APN</dt>
                <dd className="mono">{session.data.apn ?? '—'}</dd>
              </div>
              <div>
                <dt>{t('cardExtras.rat')}</dt>
                <dd>{session.data.rat ?? '—'}</dd>
              </div>
              <div>
                <dt>{t('cardExtras.since')}</dt>
                <dd>{formatInstant(session.data.startedAt, i18n.language)}</dd>
              </div>
            </dl>
          )}
        </>
      ) : null}
      {has('diagnosis') ? (
        <>
          <h3>{t('cardExtras.diagnosis')}</h3>
          {diagnosis.isPending ? (
            <Loading />
          ) : diagnosis.isError ? (
            <ErrorMessage error={diagnosis.error} />
          ) : (
            <ul>
              {diagnosis.data.checks.map((check) => (
                <li key={check.name}>
                  {check.ok === null ? '·' : check.ok ? '✓' : '✗'} {check.name}
                  {check.message ? <span className="muted"> — {check.message}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </div>
  );
}
