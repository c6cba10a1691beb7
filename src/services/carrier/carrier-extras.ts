import { SimdockError } from '../../domain/index.js';
import type { StoredCard } from '../../store/index.js';
import {
  type BatchResult,
  type CardHistoryOptions,
  type SupplierAdapterV1,
  type SupplierCardEvent,
  type SupplierDataCap,
  type SupplierDiagnosis,
  type SupplierExtraName,
  type SupplierSession,
  supplierExtra,
} from '../../suppliers/spec/index.js';
import { cardRefOf } from '../bulk/bulk-actions.js';
import type { ServiceContext } from '../context.js';

/** The per-card supplier extras the card page shows, with what each reads. */
export const CARD_EXTRAS = {
  carrierCap: 'doGetDataCap',
  session: 'doGetSession',
  history: 'doGetCardHistory',
  diagnosis: 'doDiagnose',
} as const satisfies Record<string, SupplierExtraName>;

export type CardExtra = keyof typeof CARD_EXTRAS;

const WHAT: Record<SupplierExtraName, string> = {
  doChangeSpeed: 'speed limits',
  doListProducts: 'products',
  doPlaceOrders: 'orders',
  doGetOrder: 'orders',
  doListPools: 'pools',
  doListPoolMembers: 'pools',
  doSetDataCap: 'carrier-side data caps (达量断网)',
  doGetDataCap: 'carrier-side data caps (达量断网)',
  doListChangedCards: 'a change feed',
  doGetSession: 'session information',
  doGetCardHistory: 'a card history',
  doDiagnose: 'a card diagnosis',
};

/** `unsupported`: what the card's supplier does not offer, naming the account and supplier. */
export function unsupportedExtra(adapter: SupplierAdapterV1, name: SupplierExtraName) {
  return new SimdockError(
    'unsupported',
    `account ${adapter.accountId} (${adapter.supplier}) offers no ${WHAT[name]}`,
    { details: { account: adapter.accountId, supplier: adapter.supplier, operation: name } },
  );
}

/** The card's adapter and its extra, or `unsupported` when its supplier does not offer it. */
export async function requireCardExtra<N extends SupplierExtraName>(
  context: ServiceContext,
  card: StoredCard,
  name: N,
) {
  const adapter = await context.adapter(card.account);
  const operation = supplierExtra(adapter, name);
  if (!operation) throw unsupportedExtra(adapter, name);
  return { adapter, operation };
}

/** Which of the card page's extras the card's supplier offers (none when its account is off). */
export async function cardExtrasOffered(
  context: ServiceContext,
  accountId: string,
): Promise<CardExtra[]> {
  try {
    const adapter = await context.adapter(accountId);
    return (Object.keys(CARD_EXTRAS) as CardExtra[]).filter(
      (extra) => supplierExtra(adapter, CARD_EXTRAS[extra]) !== null,
    );
  } catch {
    return [];
  }
}

/** The one card's value of a batch answer, or its error thrown. */
export function onlyItem<T>(result: BatchResult<T>, card: StoredCard): T {
  const item = result.items.find((candidate) => candidate.key === String(card.id));
  if (!item) {
    throw new SimdockError(
      'supplier_bad_response',
      `the supplier's answer left out card ${card.id}`,
      {
        details: { card: card.id },
      },
    );
  }
  if (!item.ok) throw item.error;
  return item.value;
}

/** The card's carrier-side data cap as the supplier reports it now. */
export async function readCarrierCap(
  context: ServiceContext,
  card: StoredCard,
): Promise<SupplierDataCap> {
  const { operation } = await requireCardExtra(context, card, 'doGetDataCap');
  return onlyItem(await operation({ cards: [cardRefOf(card)] }), card);
}

/** The card's current data session as the supplier reports it. */
export async function readSession(
  context: ServiceContext,
  card: StoredCard,
): Promise<SupplierSession> {
  const { operation } = await requireCardExtra(context, card, 'doGetSession');
  return onlyItem(await operation({ cards: [cardRefOf(card)] }), card);
}

/** The card's history as the supplier keeps it, newest first. */
export async function readCardHistory(
  context: ServiceContext,
  card: StoredCard,
  range: Pick<CardHistoryOptions, 'from' | 'to'> = {},
): Promise<SupplierCardEvent[]> {
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
    throw new SimdockError('invalid_argument', 'from is after to', {
      details: { fields: [{ path: 'from', message: 'after to' }] },
    });
  }
  const { operation } = await requireCardExtra(context, card, 'doGetCardHistory');
  return onlyItem(await operation({ cards: [cardRefOf(card)], ...range }), card);
}

/** The supplier's diagnosis of the card. */
export async function diagnoseCard(
  context: ServiceContext,
  card: StoredCard,
): Promise<SupplierDiagnosis> {
  const { operation } = await requireCardExtra(context, card, 'doDiagnose');
  return onlyItem(await operation({ cards: [cardRefOf(card)] }), card);
}
