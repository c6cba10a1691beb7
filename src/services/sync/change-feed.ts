import type { SyncCheckpoints } from '../../store/repositories/sync-checkpoints.js';
import { type SupplierAdapterV1, supplierExtra, withRetry } from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';

const DAY = 86_400_000;

/**
 * How far back a feed position is still trusted. Older, it counts as lost and the run reads
 * every card. **guess**: cn-carriers-notes.md does not say how far back `wsGetModifiedTerminals`
 * answers; a week is well inside what a change log of this kind keeps.
 */
export const FEED_MAX_AGE_MS = 7 * DAY;
/**
 * The feed is asked from a minute before the last position: the supplier's clock may lag
 * simdock's, and a change recorded late must not fall between two reads.
 */
export const FEED_OVERLAP_MS = 60_000;

export interface ChangedCards {
  /** The ids of the account's cards the feed named (changed since the position). */
  cardIds: number[];
  /** Feed pages read. */
  pages: number;
}

/**
 * The account's cards whose status changed since the last full read of its supplier's change
 * feed, or null when the status must be read for every card: the supplier has no feed, it was
 * never read (a first run), its position is lost or too old, or reading it failed.
 */
export async function changedSinceLastRead(
  context: ServiceContext,
  adapter: SupplierAdapterV1,
  checkpoints: SyncCheckpoints,
  options: { abortSignal?: AbortSignal; retry?: { maxAttempts?: number; baseDelayMs?: number } },
): Promise<ChangedCards | null> {
  const listChanged = supplierExtra(adapter, 'doListChangedCards');
  if (!listChanged) return null;
  const readFrom = await checkpoints.changeFeedReadFrom(adapter.accountId);
  const now = context.clock.now();
  if (readFrom === null || now - readFrom > FEED_MAX_AGE_MS) return null;
  const since = Math.max(0, readFrom - FEED_OVERLAP_MS);
  const iccids = new Set<string>();
  let cursor: string | undefined;
  let pages = 0;
  try {
    do {
      const page = await withRetry(
        () => listChanged({ since, cursor, abortSignal: options.abortSignal }),
        {
          clock: context.clock,
          maxAttempts: options.retry?.maxAttempts ?? 6,
          baseDelayMs: options.retry?.baseDelayMs ?? 1000,
          abortSignal: options.abortSignal,
        },
      );
      pages += 1;
      for (const card of page.cards) if (card.iccid) iccids.add(card.iccid.toUpperCase());
      cursor = page.nextCursor;
    } while (cursor);
  } catch (error) {
    if (options.abortSignal?.aborted) throw error;
    // The feed failed: this run reads every card, which loses nothing.
    return null;
  }
  const cardIds = await context.store.cards.idsByIccid(adapter.accountId, [...iccids]);
  return { cardIds, pages };
}
