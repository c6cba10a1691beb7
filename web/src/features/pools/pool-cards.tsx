import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { planBulk } from '../../api/bulk-api.js';
import { api, unwrap } from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { filterExpressionText } from '../../components/labels.js';
import { ErrorMessage } from '../../components/states.js';
import { hasRole, useMe } from '../../session.js';

/** Add cards to a pool, or take them out of it. */
export type PoolCardsMode = 'add' | 'remove';

/**
 * The cards bulk bar's "add to a pool" and "take out of a pool": the selected cards, or every
 * card matching the filter, go into (`POST /api/v1/pools/{id}/cards`) or come out of
 * (`POST /api/v1/pools/{id}/cards/remove`) a pool picked by name. Pools are the operator's:
 * shown to the root tenant's admins only. The outcome stays beside the button (how many of
 * the cards named changed), with the selection kept.
 */
export function PoolCardsButton(props: {
  mode: PoolCardsMode;
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
  const [poolId, setPoolId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ changed: number; cards: number } | null>(null);
  const byFilter = props.allMatching && props.filter !== null;
  const pools = useQuery({
    queryKey: ['pool-choices'],
    queryFn: () => unwrap(api.GET('/api/v1/pools')),
    enabled: allowed && open,
  });
  // Every card matching the filter: how many, as the API will count them, before confirming.
  const matching = useQuery({
    queryKey: ['pool-cards-count', props.filter],
    queryFn: () => planBulk({ filter: props.filter as string }),
    enabled: allowed && open && byFilter,
  });
  if (!allowed) return null;
  const adding = props.mode === 'add';
  const close = () => {
    setOpen(false);
    setError(null);
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const params = { path: { id: Number(poolId) } };
      const body = byFilter ? { filter: props.filter as string } : { cards: props.selectedIds };
      if (adding) {
        const answer = await unwrap(api.POST('/api/v1/pools/{id}/cards', { params, body }));
        setDone({ changed: answer.added, cards: answer.cards });
      } else {
        const answer = await unwrap(api.POST('/api/v1/pools/{id}/cards/remove', { params, body }));
        setDone({ changed: answer.removed, cards: answer.cards });
      }
      close();
      void client.invalidateQueries({ queryKey: ['resource', '/api/v1/pools'] });
      void client.invalidateQueries({ queryKey: ['pool-choices'] });
      // The selection stays, with the outcome beside the button: the list shows no pool column
      // to change, and the same cards may go on to a plan or another pool.
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const count = byFilter ? (matching.data?.total ?? '…') : props.selectedIds.length;
  return (
    <>
      <button
        type="button"
        disabled={props.disabled}
        data-action={adding ? 'pool-add' : 'pool-remove'}
        onClick={() => {
          setDone(null);
          setOpen(true);
        }}
      >
        {t(adding ? 'poolCards.add' : 'poolCards.remove')}
      </button>
      {done !== null ? (
        <span className="muted bulk-outcome" data-testid={adding ? 'pool-added' : 'pool-removed'}>
          {t(adding ? 'poolCards.added' : 'poolCards.removed', {
            changed: done.changed,
            count: done.cards,
          })}
        </span>
      ) : null}
      {open ? (
        <ConfirmDialog
          title={t(adding ? 'poolCards.add' : 'poolCards.remove')}
          confirmLabel={t(adding ? 'poolCards.addConfirm' : 'poolCards.removeConfirm', { count })}
          busy={busy || poolId === ''}
          onConfirm={() => void confirm()}
          onCancel={close}
        >
          {byFilter ? (
            <p>
              {t(adding ? 'poolCards.addAll' : 'poolCards.removeAll', {
                filter: filterExpressionText(t, props.filter ?? ''),
              })}
            </p>
          ) : null}
          {pools.data && pools.data.pools.length === 0 ? <p>{t('poolCards.noPools')}</p> : null}
          <label>
            {t('poolCards.pool')}
            <select
              name="pool"
              value={poolId}
              onChange={(event) => setPoolId(event.target.value)}
              data-testid="pool-choice"
            >
              <option value="">{t('poolCards.choosePool')}</option>
              {(pools.data?.pools ?? []).map((pool) => (
                <option key={pool.id} value={pool.id}>
                  {pool.name}
                </option>
              ))}
            </select>
          </label>
          {pools.isError ? <ErrorMessage error={pools.error} /> : null}
          {matching.isError ? <ErrorMessage error={matching.error} /> : null}
          {error ? <ErrorMessage error={error} /> : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
