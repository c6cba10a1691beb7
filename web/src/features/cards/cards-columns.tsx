import { Link } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import type { TFunction } from 'i18next';
import type { components } from '../../api/schema.js';
import { StatusBadge } from '../../components/status-badge.js';
import { formatBytes, formatInstant } from '../../format.js';

export type Card = components['schemas']['Card'];

/** Columns the server can sort by (src/services/access/access-cards.ts `CARD_SORTS`). */
export const SORTABLE = new Set(['id', 'iccid', 'msisdn', 'status', 'usage']);

/** Columns shown until the operator chooses otherwise. */
export const DEFAULT_COLUMNS = [
  'iccid',
  'msisdn',
  'status',
  'account',
  'usage',
  'tags',
  'plan',
  'expiresOn',
];

/** A card's plan and expiry date (`GET /api/v1/plans/cards`), for the plan columns. */
export interface CardPlanCell {
  plan: { id: number; name: string } | null;
  expiresOn: string | null;
}

/** Every column of the cards table; `id` is the sort key where the server sorts by it. */
export function cardColumns(
  t: TFunction,
  locale: string,
  plans?: ReadonlyMap<number, CardPlanCell>,
): ColumnDef<Card>[] {
  return [
    {
      id: 'iccid',
      header: t('cards.columns.iccid'),
      cell: ({ row }) => {
        const twins = row.original.sameIccid ?? [];
        return (
          <>
            <Link to="/cards/$cardId" params={{ cardId: row.original.id }} className="mono">
              {row.original.iccid ?? '—'}
            </Link>
            {twins.length > 0 ? (
              <span
                className="tag tag-warning"
                data-testid="duplicate-iccid"
                title={t('duplicates.title', {
                  accounts: twins.map((twin) => twin.account).join(t('common.listSeparator')),
                })}
              >
                {t('duplicates.badge', { count: twins.length + 1 })}
              </span>
            ) : null}
          </>
        );
      },
    },
    {
      id: 'msisdn',
      header: t('cards.columns.msisdn'),
      cell: ({ row }) => <span className="mono">{row.original.msisdn ?? '—'}</span>,
    },
    {
      id: 'imsi',
      header: t('cards.columns.imsi'),
      cell: ({ row }) => <span className="mono">{row.original.imsi ?? '—'}</span>,
    },
    {
      id: 'imei',
      header: t('cards.columns.imei'),
      cell: ({ row }) => <span className="mono">{row.original.imei ?? '—'}</span>,
    },
    {
      id: 'status',
      header: t('cards.columns.status'),
      cell: ({ row }) => <StatusBadge status={row.original.status} raw={row.original.statusRaw} />,
    },
    { id: 'account', header: t('cards.columns.account'), cell: ({ row }) => row.original.account },
    {
      id: 'supplier',
      header: t('cards.columns.supplier'),
      cell: ({ row }) =>
        t(`supplierTypes.${row.original.supplier}`, { defaultValue: row.original.supplier }),
    },
    {
      id: 'tenant',
      header: t('cards.columns.tenant'),
      cell: ({ row }) => row.original.tenant ?? '—',
    },
    {
      id: 'usage',
      header: t('cards.columns.usage'),
      cell: ({ row }) => formatBytes(row.original.usageThisMonth),
    },
    {
      id: 'tags',
      header: t('cards.columns.tags'),
      cell: ({ row }) =>
        row.original.tags.map((tag) => (
          <span key={tag} className="tag">
            {tag}
          </span>
        )),
    },
    {
      id: 'plan',
      header: t('plansPage.columnPlan'),
      cell: ({ row }) => (
        <span data-testid="card-plan-cell">{plans?.get(row.original.id)?.plan?.name ?? '—'}</span>
      ),
    },
    {
      id: 'expiresOn',
      header: t('plansPage.columnExpires'),
      cell: ({ row }) => (
        <span className="mono">{plans?.get(row.original.id)?.expiresOn ?? '—'}</span>
      ),
    },
    {
      id: 'statusChangedAt',
      header: t('cards.columns.statusChangedAt'),
      cell: ({ row }) => formatInstant(row.original.statusChangedAt, locale),
    },
    {
      id: 'identitiesSyncedAt',
      header: t('cards.columns.identitiesSyncedAt'),
      cell: ({ row }) => formatInstant(row.original.identitiesSyncedAt, locale),
    },
  ];
}
