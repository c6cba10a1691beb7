import {
  type Card,
  type CardStatus,
  classifyCardIdentifier,
  type DailyUsage,
  isCardStatus,
  isCstDate,
  SimdockError,
} from '../../domain/index.js';
import type { StoredCard } from '../../store/index.js';
import { type CycleView, cardCycleUsage, cycleView } from '../billing/card-cycles.js';
import type { ServiceContext } from '../context.js';

/** A card in the JSON contract (README "JSON contract"). */
export interface CardView extends Card {
  id: number;
  statusChangedAt: string | null;
  identitiesSyncedAt: string | null;
}

const iso = (instant: number | null) => (instant === null ? null : new Date(instant).toISOString());

export function cardView(card: StoredCard): CardView {
  return {
    id: card.id,
    iccid: card.iccid,
    msisdn: card.msisdn,
    imsi: card.imsi,
    imei: card.imei,
    account: card.account,
    supplier: card.supplier,
    status: card.status,
    statusRaw: card.statusRaw,
    statusChangedAt: iso(card.statusChangedAt),
    identitiesSyncedAt: iso(card.identitiesSyncedAt),
  };
}

/** Finds one card by ICCID, MSISDN or IMSI; an ambiguous or unknown value is a clear error. */
export async function findCard(context: ServiceContext, identifier: string): Promise<StoredCard> {
  const classified = classifyCardIdentifier(identifier);
  if (!classified.ok) throw classified.error;
  const matches = await context.store.cards.findByIdentifier(classified.value);
  if (matches.length === 0) {
    throw new SimdockError('not_found', `no card with ICCID, MSISDN or IMSI "${identifier}"`, {
      details: { identifier },
    });
  }
  if (matches.length > 1) {
    const where = matches.map((card) => `${card.account}#${card.id}`).join(', ');
    throw new SimdockError(
      'conflict',
      `"${identifier}" matches ${matches.length} cards (${where})`,
      {
        details: {
          identifier,
          matches: matches.map((card) => ({ card: card.id, account: card.account })),
        },
      },
    );
  }
  return matches[0]!;
}

export interface ListCardsQuery {
  status?: string;
  account?: string;
  search?: string;
  limit?: number;
  cursor?: string;
}

export async function listCards(context: ServiceContext, query: ListCardsQuery) {
  if (query.status !== undefined && !isCardStatus(query.status)) {
    throw new SimdockError('invalid_argument', `unknown status "${query.status}"`, {
      details: { field: 'status', value: query.status },
    });
  }
  const page = await context.store.cards.list({
    status: query.status as CardStatus | undefined,
    account: query.account,
    search: query.search,
    limit: query.limit ?? 100,
    cursor: query.cursor,
  });
  return { cards: page.cards.map(cardView), nextCursor: page.nextCursor };
}

/** A card's daily usage between two CST dates (inclusive). */
export async function cardDailyUsage(
  context: ServiceContext,
  card: StoredCard,
  range: { from?: string; to?: string },
): Promise<DailyUsage[]> {
  for (const [name, value] of Object.entries(range)) {
    if (value !== undefined && !isCstDate(value)) {
      throw new SimdockError(
        'invalid_argument',
        `--${name} must be a date YYYY-MM-DD, got "${value}"`,
        {
          details: { field: name, value },
        },
      );
    }
  }
  return context.store.usage.daily(card.id, range);
}

/**
 * The card's usage in its current billing cycle (the calendar month unless its supplier or account
 * bills from another day), as the supplier reported it or summed from daily rows.
 */
export async function currentMonthUsage(
  context: ServiceContext,
  card: StoredCard,
): Promise<{
  month: string;
  cycle: CycleView;
  bytes: number | null;
  source: 'monthly' | 'daily' | null;
}> {
  const usage = await cardCycleUsage(context, card);
  return {
    month: usage.cycle.month,
    cycle: cycleView(usage.cycle),
    bytes: usage.bytes,
    source: usage.source,
  };
}
