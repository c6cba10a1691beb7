import {
  type CardRef,
  chunk,
  groupByIdentifier,
  type ItemResult,
  missingIdentifierItem,
  SupplierError,
  type SupplierWarning,
} from '../spec/index.js';
import { agentError } from './agent-protocol.js';
import type { AgentFailItem } from './agent-schemas.js';
import type { AgentCallResult, AgentCards } from './agent-transport.js';

/** What one batch call answered, reduced to what the mapping needs. */
interface BatchAnswer<Item> {
  list: Item[];
  failList: AgentFailItem[];
}

/** Results of a card batch operation, in the contract's shape. */
export interface CardBatchOutcome<T> {
  items: ItemResult<T>[];
  warnings: SupplierWarning[];
  bodies: unknown[];
}

/** How a batch names its cards: by ICCID (preferred) or by number. */
export const AGENT_IDENTIFIER_PREFERENCE = ['iccid', 'msisdn'] as const;

/** The identifier value a card is named by in a call, normalized for matching. */
function normalized(field: 'iccid' | 'msisdn', value: string): string {
  return field === 'iccid' ? value.toUpperCase() : value;
}

/**
 * Runs a card operation over any number of cards: groups them by the identifier the platform
 * takes (`iccids` or `simNos`), chunks each group to the batch size, and matches every answer
 * back to the caller's keys. A card in `failList` gets the platform's reason; a card in neither
 * list gets a `partial-data` warning and an item error, never a silent gap.
 */
export async function runCardBatches<
  Item extends { iccid: string | null; simNo: string | null },
  T,
>(
  cards: readonly CardRef[],
  size: number,
  call: (cards: AgentCards) => Promise<AgentCallResult<BatchAnswer<Item>>>,
  map: (item: Item, card: CardRef) => ItemResult<T>,
  accountId?: string,
): Promise<CardBatchOutcome<T>> {
  const outcome: CardBatchOutcome<T> = { items: [], warnings: [], bodies: [] };
  const { groups, missing } = groupByIdentifier(cards, AGENT_IDENTIFIER_PREFERENCE);
  for (const card of missing) outcome.items.push(missingIdentifierItem(card, 'ICCID or MSISDN'));
  for (const [field, entries] of groups) {
    if (field === 'imsi') continue;
    for (const part of chunk(entries, size)) {
      const values = part.map((entry) => normalized(field, entry.id));
      const result = await call(field === 'iccid' ? { iccids: values } : { simNos: values });
      outcome.bodies.push(result.body);
      const wireField = field === 'iccid' ? 'iccid' : 'simNo';
      const served = new Map<string, Item>();
      for (const item of result.data.list) {
        const value = item[wireField];
        if (value) served.set(normalized(field, value), item);
      }
      const failed = new Map<string, AgentFailItem>();
      for (const item of result.data.failList) {
        const value = item[wireField];
        if (value) failed.set(normalized(field, value), item);
      }
      for (const entry of part) {
        const id = normalized(field, entry.id);
        const item = served.get(id);
        const failure = failed.get(id);
        if (item) outcome.items.push(map(item, entry.card));
        else if (failure) {
          outcome.items.push({
            key: entry.card.key,
            ok: false,
            error: agentError(String(failure.code ?? ''), failure.message, accountId),
          });
        } else {
          outcome.warnings.push({
            type: 'partial-data',
            key: entry.card.key,
            message: `the platform answered nothing for ${field} ${entry.id}`,
          });
          outcome.items.push({
            key: entry.card.key,
            ok: false,
            error: new SupplierError(
              'supplier_bad_response',
              `agent: no answer for ${field} ${entry.id}`,
              { retryable: true, accountId },
            ),
          });
        }
      }
    }
  }
  return outcome;
}
