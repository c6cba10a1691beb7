import { useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import type { components } from '../../api/schema.js';

type NeedFreshness = components['schemas']['NeedFreshness'];

/** 42 s, 17 min, 3.5 h, 2 d in the page's language; `—` when none. */
function duration(t: TFunction, ms: number | null): string {
  if (ms === null) return '—';
  const one = (value: number) => String(Number(value.toFixed(1)));
  if (ms < 60_000) return t('accountFreshness.units.s', { value: Math.round(ms / 1000) });
  if (ms < 3_600_000) return t('accountFreshness.units.min', { value: Math.round(ms / 60_000) });
  if (ms < 86_400_000) return t('accountFreshness.units.h', { value: one(ms / 3_600_000) });
  return t('accountFreshness.units.d', { value: one(ms / 86_400_000) });
}

/** One need: its share within target, p99, never-read cards, and what the budget can hold. */
function NeedLine(props: { need: NeedFreshness; rateLimit: number }) {
  const { t } = useTranslation();
  const { need } = props;
  const unreachable = need.achievableMs !== null && need.achievableMs > need.targetMs;
  const share = `${Math.floor(need.withinTarget * 100 + 1e-9)}%`;
  return (
    <li data-testid={`freshness-${need.need}`}>
      {t('accountFreshness.within', {
        need: t(`accountFreshness.needs.${need.need === 'status' ? 'status' : 'usageMonthly'}`),
        share,
        target: duration(t, need.targetMs),
      })}
      {' · '}
      {t('accountFreshness.p99', { age: duration(t, need.p99Ms) })}
      {need.neverRead > 0 ? ` · ${t('accountFreshness.neverRead', { count: need.neverRead })}` : ''}
      {unreachable ? (
        <div className="muted" data-testid={`freshness-${need.need}-achievable`}>
          {t(
            need.achievableMs! <= 3_600_000
              ? 'accountFreshness.scheduleHolds'
              : 'accountFreshness.budgetHolds',
            {
              achievable: duration(t, need.achievableMs),
              target: duration(t, need.targetMs),
              rate: props.rateLimit,
            },
          )}
        </div>
      ) : null}
    </li>
  );
}

/**
 * How fresh an account's cards are per need (GET /api/v1/accounts/{id}/freshness): the share
 * within the account's target, the 99th percentile staleness, and, when the call budget cannot
 * hold the target, what it holds instead. Disabled accounts are not measured.
 */
export function AccountFreshness(props: { id: string; enabled: boolean }) {
  const { t } = useTranslation();
  const freshness = useQuery({
    queryKey: ['accounts', props.id, 'freshness'],
    enabled: props.enabled,
    queryFn: () =>
      unwrap(api.GET('/api/v1/accounts/{id}/freshness', { params: { path: { id: props.id } } })),
  });
  if (!props.enabled || freshness.isError) {
    return <span className="muted">{t('accountFreshness.notMeasured')}</span>;
  }
  if (freshness.isPending) return <span className="muted">…</span>;
  if (freshness.data.needs.length === 0) {
    return (
      <span className="muted" data-testid={`freshness-${props.id}`}>
        {t('accountFreshness.noNeeds')}
      </span>
    );
  }
  return (
    <ul className="freshness-list" data-testid={`freshness-${props.id}`}>
      {freshness.data.needs.map((need) => (
        <NeedLine key={need.need} need={need} rateLimit={freshness.data.rateLimit} />
      ))}
    </ul>
  );
}
