import { type CardStatus, isCardStatus } from '../../domain/index.js';
import type { StoredRule } from '../../domain/rules-model.js';
import type { Store, StoredCard } from '../../store/index.js';
import type { Finding } from './rules-findings.js';

/** How far back supplier status changes are looked at (older ones were seen by earlier runs). */
const STATUS_LOOKBACK_MS = 40 * 24 * 60 * 60 * 1000;

/** The events of a page of cards: IMEI changes and supplier status changes. */
export interface CardEvents {
  imeiChanges(card: StoredCard): Finding[];
  statusChanges(card: StoredCard, since: number, to?: readonly CardStatus[]): Finding[];
  /** Whether an IMEI rule exists (else no IMEI is remembered). */
  readonly tracksImei: boolean;
  /** The IMEI each card was last seen with, before this evaluation. */
  readonly lastImei: Map<number, { imei: string | null; observedAt: number }>;
}

interface StatusChange {
  id: number;
  at: number;
  status: CardStatus;
  statusRaw: string | null;
  previousStatus: CardStatus;
}

/**
 * Loads what the event rules need for these cards: the IMEI each was last seen with (kept by the
 * rules, as the card row holds only the current one) and the status changes a sync recorded
 * (history rows with a `sync` source and a known previous status; changes made by simdock's own
 * jobs and rules have other sources).
 */
export async function loadCardEvents(
  store: Store,
  cards: readonly StoredCard[],
  rules: readonly StoredRule[],
  now: number,
): Promise<CardEvents> {
  const ids = cards.map((card) => card.id);
  const lastImei = new Map<number, { imei: string | null; observedAt: number }>();
  const changes = new Map<number, StatusChange[]>();
  const wantsImei = rules.some((rule) => rule.kind === 'imei_changed');
  const statusRules = rules.filter((rule) => rule.kind === 'status_changed');
  if (wantsImei) {
    for (const [cardId, seen] of await store.ruleCardState.lastImeis(ids)) {
      lastImei.set(cardId, seen);
    }
  }
  if (statusRules.length) {
    const since = Math.max(
      Math.min(...statusRules.map((rule) => rule.createdAt)),
      now - STATUS_LOOKBACK_MS,
    );
    for (const row of await store.cards.syncStatusChanges(ids, since)) {
      // A first status after `unknown` is simdock learning it, not the supplier changing it.
      if (row.previousStatus === 'unknown') continue;
      const change: StatusChange = {
        id: row.id,
        at: row.at,
        status: isCardStatus(row.status) ? row.status : 'unknown',
        statusRaw: row.statusRaw,
        previousStatus:
          row.previousStatus && isCardStatus(row.previousStatus) ? row.previousStatus : 'unknown',
      };
      changes.set(row.cardId, [...(changes.get(row.cardId) ?? []), change]);
    }
  }
  return {
    tracksImei: wantsImei,
    lastImei,
    imeiChanges(card) {
      const last = lastImei.get(card.id);
      if (!last?.imei || !card.imei || last.imei === card.imei) return [];
      return [
        {
          cycle: `imei:${last.imei}>${card.imei}@${last.observedAt}`,
          message: `moved to another device: IMEI ${last.imei} → ${card.imei}`,
          data: { previousImei: last.imei, imei: card.imei },
        },
      ];
    },
    statusChanges(card, since, to) {
      return (changes.get(card.id) ?? [])
        .filter((change) => change.at >= since && (!to || to.includes(change.status)))
        .map((change) => ({
          cycle: `status:${change.id}`,
          message: `status changed by the supplier: ${change.previousStatus} → ${change.status}${change.statusRaw ? ` (${change.statusRaw})` : ''}`,
          data: {
            previousStatus: change.previousStatus,
            status: change.status,
            statusRaw: change.statusRaw,
            at: new Date(change.at).toISOString(),
          },
        }));
    },
  };
}

/** Remembers each card's current IMEI (when known and different), the baseline of the next run. */
export async function recordImeis(
  store: Store,
  cards: readonly StoredCard[],
  events: CardEvents,
  now: number,
): Promise<void> {
  if (!events.tracksImei) return;
  const changed = cards.filter(
    (card) => card.imei !== null && events.lastImei.get(card.id)?.imei !== card.imei,
  );
  await store.ruleCardState.rememberImeis(changed, now);
}
