import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import { type BulkChoiceTarget, useBulkChoice } from '../../components/bulk-choice.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { filterExpressionText } from '../../components/labels.js';
import { ErrorMessage } from '../../components/states.js';

/** Add cards to a pool, or take them out of it. */
export type PoolCardsMode = 'add' | 'remove';

/**
 * The cards bulk bar's "add to a pool" and "take out of a pool": the selected cards, or every
 * card matching the filter, go into (`POST /api/v1/pools/{id}/cards`) or come out of
 * (`POST /api/v1/pools/{id}/cards/remove`) a pool picked by name. Pools are the operator's:
 * shown to the root tenant's admins only. The outcome stays beside the button (how many of
 * the cards named changed), with the selection kept.
 */
export function PoolCardsButton(
  props: BulkChoiceTarget & { mode: PoolCardsMode; disabled?: boolean },
) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const choice = useBulkChoice<{ changed: number; cards: number }>(props, 'pool-cards-count');
  const pools = useQuery({
    queryKey: ['pool-choices'],
    queryFn: () => unwrap(api.GET('/api/v1/pools')),
    enabled: choice.allowed && choice.open,
  });
  const [poolId, setPoolId] = useState('');
  if (!choice.allowed) return null;
  const adding = props.mode === 'add';
  const confirm = () =>
    choice.run(async () => {
      const params = { path: { id: Number(poolId) } };
      const body = choice.cards;
      const outcome = adding
        ? await unwrap(api.POST('/api/v1/pools/{id}/cards', { params, body })).then((answer) => ({
            changed: answer.added,
            cards: answer.cards,
          }))
        : await unwrap(api.POST('/api/v1/pools/{id}/cards/remove', { params, body })).then(
            (answer) => ({ changed: answer.removed, cards: answer.cards }),
          );
      void client.invalidateQueries({ queryKey: ['resource', '/api/v1/pools'] });
      void client.invalidateQueries({ queryKey: ['pool-choices'] });
      return outcome;
    });
  return (
    <>
      <button
        type="button"
        disabled={props.disabled}
        data-action={adding ? 'pool-add' : 'pool-remove'}
        onClick={choice.start}
      >
        {t(adding ? 'poolCards.add' : 'poolCards.remove')}
      </button>
      {choice.done !== null ? (
        <span className="muted bulk-outcome" data-testid={adding ? 'pool-added' : 'pool-removed'}>
          {t(adding ? 'poolCards.added' : 'poolCards.removed', {
            changed: choice.done.changed,
            count: choice.done.cards,
          })}
        </span>
      ) : null}
      {choice.open ? (
        <ConfirmDialog
          title={t(adding ? 'poolCards.add' : 'poolCards.remove')}
          confirmLabel={t(adding ? 'poolCards.addConfirm' : 'poolCards.removeConfirm', {
            count: choice.count,
          })}
          busy={choice.busy || poolId === ''}
          onConfirm={() => void confirm()}
          onCancel={choice.close}
        >
          {choice.byFilter ? (
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
          {choice.matching.isError ? <ErrorMessage error={choice.matching.error} /> : null}
          {choice.error ? <ErrorMessage error={choice.error} /> : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
