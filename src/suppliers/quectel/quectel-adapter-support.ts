import {
  type CardStatusValue,
  parseIccid,
  parseImsi,
  parseMsisdn,
  statusMapper,
} from '../../domain/index.js';
import { type CardRef, type ItemResult, SupplierError } from '../spec/index.js';
import type { QuectelCard } from './quectel-wire.js';

/**
 * Card statuses (quectel-connectivity-api-v3.15.md §1.8 (3)) → the domain enum. A stopped card
 * in its test period (测试期停机) cannot be used, so it counts as suspended; the raw value stays.
 */
export const quectelStatus = statusMapper({
  正常: 'active',
  测试期正常: 'test',
  测试期停机: 'suspended',
  待激活: 'inventory',
  停机: 'suspended',
  停机保号: 'suspended',
  预销号: 'pre_deactivated',
  销号: 'deactivated',
  未知: 'unknown',
});

/** A card ready to be sent: the identifier the supplier accepts (ICCID first, else MSISDN). */
export interface PreparedCard {
  card: CardRef;
  kind: 'iccid' | 'msisdn';
  id: string;
}

/** A card known only by its IMSI: Quectel has no IMSI lookup, only the fleet list has IMSIs. */
export interface ImsiOnlyCard {
  card: CardRef;
  imsi: string;
}

/**
 * Validates every card before any call: an invalid ICCID or MSISDN fails that card with its
 * reason; a card with only an IMSI fails too (Quectel looks cards up by ICCID or MSISDN only).
 */
export function prepareCards(
  cards: readonly CardRef[],
  options: { allowImsi?: boolean } = {},
): {
  prepared: PreparedCard[];
  imsiOnly: ImsiOnlyCard[];
  rejected: ItemResult<never>[];
} {
  const prepared: PreparedCard[] = [];
  const imsiOnly: ImsiOnlyCard[] = [];
  const rejected: ItemResult<never>[] = [];
  for (const card of cards) {
    if (!card.iccid && !card.msisdn && card.imsi && options.allowImsi) {
      const imsi = parseImsi(card.imsi);
      if (imsi.ok) {
        imsiOnly.push({ card, imsi: imsi.value });
        continue;
      }
    }
    const parsed = card.iccid
      ? { kind: 'iccid' as const, result: parseIccid(card.iccid) }
      : card.msisdn
        ? { kind: 'msisdn' as const, result: parseMsisdn(card.msisdn) }
        : null;
    if (!parsed) {
      rejected.push({
        key: card.key,
        ok: false,
        error: new SupplierError(
          'invalid_argument',
          `card ${card.key} has no ICCID or MSISDN (quectel needs one)`,
          {
            retryable: false,
          },
        ),
      });
    } else if (!parsed.result.ok) {
      const { error } = parsed.result;
      rejected.push({
        key: card.key,
        ok: false,
        error: new SupplierError('invalid_identifier', error.message, {
          retryable: false,
          details: { field: error.field, value: error.value, reason: error.reason },
        }),
      });
    } else prepared.push({ card, kind: parsed.kind, id: parsed.result.value });
  }
  return { prepared, imsiOnly, rejected };
}

/** Splits prepared cards by identifier kind (batch methods take one kind per call). */
export function byKind(prepared: PreparedCard[]): Map<'iccid' | 'msisdn', PreparedCard[]> {
  const groups = new Map<'iccid' | 'msisdn', PreparedCard[]>();
  for (const item of prepared) groups.set(item.kind, [...(groups.get(item.kind) ?? []), item]);
  return groups;
}

/** The answer for a card the supplier did not return. */
export function unknownCardItem<T>(item: {
  card: CardRef;
  kind: string;
  id: string;
}): ItemResult<T> {
  return {
    key: item.card.key,
    ok: false,
    error: new SupplierError(
      'supplier_card_unknown',
      `quectel does not know ${item.kind} ${item.id}`,
      {
        retryable: false,
        details: { [item.kind]: item.id },
      },
    ),
  };
}

/** Index of card records by ICCID (upper-cased) and MSISDN. */
export function indexCards(cards: QuectelCard[]): Map<string, QuectelCard> {
  const index = new Map<string, QuectelCard>();
  for (const card of cards) {
    if (card.iccid) index.set(`iccid:${card.iccid.toUpperCase()}`, card);
    if (card.msisdn) index.set(`msisdn:${card.msisdn}`, card);
  }
  return index;
}

export const cardKey = (item: PreparedCard) =>
  `${item.kind}:${item.kind === 'iccid' ? item.id.toUpperCase() : item.id}`;

/** The status a lifecycle action leads to, to recognise a card already there. */
export const TARGET_STATUS: Record<string, CardStatusValue['status'][]> = {
  pause: ['suspended'],
  resume: ['active'],
  activate: ['active'],
  'end-test': ['inventory', 'active'],
  reset: ['suspended', 'active'],
};

/**
 * Runs `task` over items with at most `limit` in flight. A failure of the whole account
 * (authentication, abort) stops the run; any other error becomes that card's failed item.
 */
export async function perCard<T>(
  items: PreparedCard[],
  limit: number,
  task: (item: PreparedCard) => Promise<T>,
): Promise<ItemResult<T>[]> {
  const results: ItemResult<T>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const position = next;
      next += 1;
      const item = items[position]!;
      try {
        results[position] = { key: item.card.key, ok: true, value: await task(item) };
      } catch (error) {
        if (!SupplierError.isInstance(error) || error.code === 'supplier_auth_failed') throw error;
        results[position] = { key: item.card.key, ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
