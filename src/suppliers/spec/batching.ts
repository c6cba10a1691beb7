import { SupplierError } from './supplier-error.js';
import type { CardRef, ItemResult } from './supplier-spec.js';

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError(`chunk size must be at least 1, got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

export type IdentifierField = 'iccid' | 'msisdn' | 'imsi';

/**
 * Groups cards by the first identifier they have, in the order of preference given, because
 * batch endpoints take exactly one kind of identifier per call. Cards with none of them come
 * back in `missing`.
 */
export function groupByIdentifier(
  cards: readonly CardRef[],
  preference: readonly IdentifierField[],
): { groups: Map<IdentifierField, { card: CardRef; id: string }[]>; missing: CardRef[] } {
  const groups = new Map<IdentifierField, { card: CardRef; id: string }[]>();
  const missing: CardRef[] = [];
  for (const card of cards) {
    const field = preference.find((candidate) => card[candidate]);
    if (!field) {
      missing.push(card);
      continue;
    }
    const group = groups.get(field) ?? [];
    group.push({ card, id: card[field] as string });
    groups.set(field, group);
  }
  return { groups, missing };
}

/** The item result for a card that lacks the identifier an operation needs. */
export function missingIdentifierItem<T>(card: CardRef, needed: string): ItemResult<T> {
  return {
    key: card.key,
    ok: false,
    error: new SupplierError('invalid_argument', `card ${card.key} has no ${needed}`, {
      retryable: false,
    }),
  };
}
