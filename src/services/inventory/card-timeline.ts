import { SimdockError } from '../../domain/index.js';
import {
  STORE_TIMELINE_KINDS,
  type StoredCard,
  type StoreTimelineItem,
  type StoreTimelineKind,
} from '../../store/index.js';
import type { SupplierCardEvent } from '../../suppliers/spec/index.js';
import { cardExtrasOffered, readCardHistory, readSession } from '../carrier/carrier-extras.js';
import type { ServiceContext } from '../context.js';

/** Items read at one instant when more than a page share it (a bulk job's audit at one time). */
const MAX_AT_ONE_INSTANT = 10_000;

/** Every kind of the card timeline: the store's, then what the supplier reports (`supplier`). */
export const TIMELINE_KINDS = [...STORE_TIMELINE_KINDS, 'supplier'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One event of the supplier's own history, or its current session. */
export interface SupplierTimelineItem {
  kind: 'supplier';
  at: number;
  key: string;
  /** `status`, `session` or `change` (an IMEI change, a plan change…), `other`; `online` is the current session. */
  supplierKind: SupplierCardEvent['kind'] | 'online';
  status: SupplierCardEvent['status'] | null;
  description: string | null;
  /** For `online`: whether the card has a data session now. */
  online: boolean | null;
  details: Record<string, unknown> | null;
}

export type TimelineItem = StoreTimelineItem | SupplierTimelineItem;

/** What became of asking the supplier: not asked, included, not offered, or failed (with why). */
export type SupplierPart =
  | { state: 'not-asked' | 'included' | 'unsupported' }
  | { state: 'failed'; code: string; message: string };

export interface TimelineQuery {
  /** Only items before this instant (epoch ms); absent: from now. */
  before?: number;
  limit: number;
  kinds?: readonly TimelineKind[];
  /** Ask the card's supplier for its history and session (where it offers them). */
  supplier: boolean;
  /** The caller's tenant path for audit entries; null: the root, every entry. */
  tenantPath: string | null;
}

export interface TimelinePage {
  items: TimelineItem[];
  /** Pass as `before` for the next page; null when this page is the last. */
  nextBefore: number | null;
  supplier: { history: SupplierPart; session: SupplierPart };
}

/**
 * A card's timeline, newest first: status changes with their source, audited actions (who did
 * them; a bulk job's per-card outcome is one), alerts, texts, usage spikes, and when asked the
 * supplier's own history and session. Paged by time: each source gives its newest `limit` items
 * before the cursor, the merge keeps `limit`, and the next cursor is the last kept instant (items
 * sharing that instant wait for the next page together, so none is skipped).
 */
export async function cardTimeline(
  context: ServiceContext,
  card: StoredCard,
  query: TimelineQuery,
): Promise<TimelinePage> {
  const now = context.clock.now();
  const before = query.before ?? now + 1;
  const kinds = new Set<TimelineKind>(query.kinds ?? TIMELINE_KINDS);
  const storeKinds = STORE_TIMELINE_KINDS.filter((kind) => kinds.has(kind));
  const stored = await context.store.cardTimeline.page({
    cardId: card.id,
    before,
    limit: query.limit + 1,
    kinds: storeKinds as StoreTimelineKind[],
    tenantPath: query.tenantPath,
  });
  const supplier: TimelinePage['supplier'] = {
    history: { state: 'not-asked' },
    session: { state: 'not-asked' },
  };
  const fromSupplier: SupplierTimelineItem[] = [];
  if (query.supplier && kinds.has('supplier')) {
    const offered = await cardExtrasOffered(context, card.account);
    supplier.history = await ask(offered.includes('history'), async () => {
      const events = await readCardHistory(context, card, { to: before - 1 });
      events.forEach((event, index) => {
        if (event.at === null || event.at >= before) return;
        fromSupplier.push({
          kind: 'supplier',
          at: event.at,
          key: `supplier:${event.at}:${index}`,
          supplierKind: event.kind,
          status: event.status ?? null,
          description: event.description,
          online: null,
          details: event.details ?? null,
        });
      });
    });
    // The session is the card's state now: asked on the first page only.
    if (query.before === undefined) {
      supplier.session = await ask(offered.includes('session'), async () => {
        const session = await readSession(context, card);
        const started = session.startedAt;
        const at = started !== null && started < before ? started : now;
        fromSupplier.push({
          kind: 'supplier',
          at,
          key: `session:${at}`,
          supplierKind: 'online',
          status: null,
          description: [session.ip, session.apn, session.rat].filter(Boolean).join(' · ') || null,
          online: session.online,
          details: session.details ?? null,
        });
      });
    }
  }
  const merged: TimelineItem[] = [...stored, ...fromSupplier].sort(newestFirst);
  if (merged.length <= query.limit) return { items: merged, nextBefore: null, supplier };
  let items = merged.slice(0, query.limit);
  const cut = items[items.length - 1]!.at;
  if (merged[query.limit]!.at === cut) {
    // Items at the cut instant go to the next page together (`before` is exclusive).
    const kept = items.filter((item) => item.at !== cut);
    if (kept.length > 0) items = kept;
    else {
      // One instant holds more than a page: all of its items, read again without a limit.
      const atCut = await context.store.cardTimeline.page({
        cardId: card.id,
        before: cut + 1,
        from: cut,
        limit: MAX_AT_ONE_INSTANT,
        kinds: storeKinds as StoreTimelineKind[],
        tenantPath: query.tenantPath,
      });
      items = [...atCut, ...fromSupplier.filter((item) => item.at === cut)].sort(newestFirst);
      // Older items may follow (each source was read `limit + 1` deep): the next page says.
      return { items, nextBefore: cut, supplier };
    }
  }
  return { items, nextBefore: items[items.length - 1]!.at, supplier };
}

function newestFirst(a: TimelineItem, b: TimelineItem): number {
  return b.at - a.at || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);
}

async function ask(offered: boolean, read: () => Promise<void>): Promise<SupplierPart> {
  if (!offered) return { state: 'unsupported' };
  try {
    await read();
    return { state: 'included' };
  } catch (error) {
    if (SimdockError.isInstance(error)) {
      return { state: 'failed', code: error.code, message: error.message };
    }
    return { state: 'failed', code: 'internal', message: String(error) };
  }
}
