import type { SelectQueryBuilder } from 'kysely';
import {
  type CardStatus,
  cstDate,
  cstStartOfDay,
  type IdentifierKind,
  isCardStatus,
} from '../../domain/index.js';
import { IDENTIFIER_KINDS } from '../card-rows.js';
import { subtreePattern } from '../card-scope.js';
import type { RepositoryContext } from '../store-context.js';
import { parseJsonObject } from '../store-sql.js';

/** What the store keeps about a card, as timeline kinds. */
export const STORE_TIMELINE_KINDS = [
  'status',
  'identity',
  'action',
  'alert',
  'sms',
  'usage',
] as const;
export type StoreTimelineKind = (typeof STORE_TIMELINE_KINDS)[number];

/**
 * A usage spike: a CST day whose bytes are at least `SPIKE_FACTOR` times the mean of the card's
 * previous `SPIKE_WINDOW_DAYS` recorded days (at least `SPIKE_MIN_HISTORY` of them), and at least
 * `SPIKE_MIN_EXCESS_BYTES` above that mean, so that a few kilobytes on a quiet card are no spike.
 */
export const SPIKE_FACTOR = 3;
export const SPIKE_WINDOW_DAYS = 7;
export const SPIKE_MIN_HISTORY = 3;
export const SPIKE_MIN_EXCESS_BYTES = 10 * 1024 * 1024;

interface Base {
  /** Epoch ms. */
  at: number;
  /** Stable within the card's timeline (`status:12`, `usage:2024-05-01`). */
  key: string;
}

export type StoreTimelineItem =
  | (Base & {
      kind: 'status';
      status: CardStatus;
      statusRaw: string | null;
      previousStatus: CardStatus | null;
      /** What saw the change (`sync`, `job:pause`, `rule:3`, …). */
      source: string;
    })
  | (Base & {
      kind: 'identity';
      /** Which identifier changed: `imei` (the card moved to another device), `msisdn`… */
      identity: IdentifierKind;
      value: string;
      previous: string;
      /** What reported it (`sync:<account>`, …). */
      source: string;
    })
  | (Base & {
      kind: 'action';
      actor: string;
      action: string;
      outcome: string;
      details: Record<string, unknown> | null;
    })
  | (Base & {
      kind: 'alert';
      alertId: number;
      alertKind: string;
      severity: string;
      message: string;
      data: Record<string, unknown>;
      acknowledgedAt: number | null;
      acknowledgedBy: string | null;
    })
  | (Base & {
      kind: 'sms';
      smsId: number;
      direction: string;
      smsStatus: string;
      text: string;
      actor: string | null;
    })
  | (Base & {
      kind: 'usage';
      /** CST `YYYY-MM-DD`; `at` is its first instant. */
      date: string;
      bytes: number;
      /** Mean of the previous recorded days it is measured against. */
      averageBytes: number;
    });

export interface StoreTimelineQuery {
  cardId: number;
  /** Only items strictly before this instant (epoch ms). */
  before: number;
  /** Only items at or after this instant (epoch ms); absent: no bound. */
  from?: number;
  /** Items wanted from each kind (the caller merges and cuts). */
  limit: number;
  kinds: readonly StoreTimelineKind[];
  /** Audit entries made within this tenant subtree only; null: every entry (the root). */
  tenantPath: string | null;
}

/**
 * A kind's rows in the query's window (`from` ≤ at < `before`), newest first, at most `limit`:
 * the same cut for every kind, each on its own `(card, at)` index.
 */
function newestInWindow(at: string, id: string, query: StoreTimelineQuery) {
  // biome-ignore lint/suspicious/noExplicitAny: one cut over four tables' builders
  return <QB extends SelectQueryBuilder<any, any, any>>(select: QB): QB =>
    select
      .where(at, '<', query.before)
      .where(at, '>=', query.from ?? 0)
      .orderBy(at, 'desc')
      .orderBy(id, 'desc')
      .limit(query.limit) as QB;
}

function isIdentityKind(value: string): value is IdentifierKind {
  return (IDENTIFIER_KINDS as readonly string[]).includes(value);
}

const STATUS_OF = (value: string | null): CardStatus | null =>
  value === null ? null : isCardStatus(value) ? value : 'unknown';

/**
 * A card's history as the store keeps it, newest first, each kind through its own index:
 * `card_status_history(card_id, at)`, `card_identity_history(card_id, at)`, `audit_log(target_id, id)`, `alerts(card_id, id)`,
 * `sms_messages(card_id, id)` and `usage_daily`'s key `(card_id, date)`.
 */
export class CardTimelineRepository {
  readonly #store: RepositoryContext;

  constructor(store: RepositoryContext) {
    this.#store = store;
  }

  /** The newest `limit` items of each asked kind before `before`, merged newest first. */
  async page(query: StoreTimelineQuery): Promise<StoreTimelineItem[]> {
    const wanted = new Set(query.kinds);
    const parts = await Promise.all([
      wanted.has('status') ? this.#statuses(query) : [],
      wanted.has('identity') ? this.#identities(query) : [],
      wanted.has('action') ? this.#actions(query) : [],
      wanted.has('alert') ? this.#alerts(query) : [],
      wanted.has('sms') ? this.#sms(query) : [],
      wanted.has('usage')
        ? this.usageSpikes(query.cardId, query.before, query.limit).then((spikes) =>
            spikes.filter((spike) => spike.at >= (query.from ?? 0)),
          )
        : [],
    ]);
    return parts.flat().sort(newestFirst);
  }

  async #statuses(query: StoreTimelineQuery): Promise<StoreTimelineItem[]> {
    const rows = await this.#store.db
      .selectFrom('card_status_history')
      .selectAll()
      .where('card_id', '=', query.cardId)
      .$call(newestInWindow('at', 'id', query))
      .execute();
    return rows.map((row) => ({
      kind: 'status' as const,
      key: `status:${row.id}`,
      at: Number(row.at),
      status: STATUS_OF(row.status) ?? 'unknown',
      statusRaw: row.status_raw,
      previousStatus: STATUS_OF(row.previous_status),
      source: row.source,
    }));
  }

  async #identities(query: StoreTimelineQuery): Promise<StoreTimelineItem[]> {
    const rows = await this.#store.db
      .selectFrom('card_identity_history')
      .selectAll()
      .where('card_id', '=', query.cardId)
      .$call(newestInWindow('at', 'id', query))
      .execute();
    return rows.flatMap((row) =>
      isIdentityKind(row.kind)
        ? [
            {
              kind: 'identity' as const,
              key: `identity:${row.id}`,
              at: Number(row.at),
              identity: row.kind,
              value: row.value,
              previous: row.previous,
              source: row.source,
            },
          ]
        : [],
    );
  }

  async #actions(query: StoreTimelineQuery): Promise<StoreTimelineItem[]> {
    let select = this.#store.db
      .selectFrom('audit_log')
      .selectAll('audit_log')
      .where('audit_log.target_id', '=', String(query.cardId))
      .where('audit_log.target_type', '=', 'card');
    if (query.tenantPath !== null) {
      const pattern = subtreePattern(query.tenantPath);
      select = select.where((eb) =>
        eb.exists(
          eb
            .selectFrom('audit_tenants')
            .select('audit_tenants.audit_id')
            .whereRef('audit_tenants.audit_id', '=', 'audit_log.id')
            .where('audit_tenants.tenant_path', 'like', pattern),
        ),
      );
    }
    const rows = await select
      .$call(newestInWindow('audit_log.at', 'audit_log.id', query))
      .execute();
    return rows.map((row) => ({
      kind: 'action' as const,
      key: `action:${row.id}`,
      at: Number(row.at),
      actor: row.actor,
      action: row.action,
      outcome: row.outcome,
      details: parseJsonObject(row.details),
    }));
  }

  async #alerts(query: StoreTimelineQuery): Promise<StoreTimelineItem[]> {
    const rows = await this.#store.db
      .selectFrom('alerts')
      .selectAll()
      .where('card_id', '=', query.cardId)
      .$call(newestInWindow('created_at', 'id', query))
      .execute();
    return rows.map((row) => ({
      kind: 'alert' as const,
      key: `alert:${row.id}`,
      at: Number(row.created_at),
      alertId: Number(row.id),
      alertKind: row.kind,
      severity: row.severity,
      message: row.message,
      data: parseJsonObject(row.data) ?? {},
      acknowledgedAt: row.acknowledged_at === null ? null : Number(row.acknowledged_at),
      acknowledgedBy: row.acknowledged_by,
    }));
  }

  async #sms(query: StoreTimelineQuery): Promise<StoreTimelineItem[]> {
    const rows = await this.#store.db
      .selectFrom('sms_messages')
      .select(['id', 'direction', 'status', 'text', 'actor', 'created_at'])
      .where('card_id', '=', query.cardId)
      .$call(newestInWindow('created_at', 'id', query))
      .execute();
    return rows.map((row) => ({
      kind: 'sms' as const,
      key: `sms:${row.id}`,
      at: Number(row.created_at),
      smsId: Number(row.id),
      direction: row.direction,
      smsStatus: row.status,
      text: row.text,
      actor: row.actor,
    }));
  }

  /**
   * The card's newest `limit` usage spikes on days starting before `before` (see `SPIKE_FACTOR`),
   * newest first. Reads the card's daily rows newest first, 200 a statement, until it has found
   * `limit` spikes or run out of days.
   */
  async usageSpikes(cardId: number, before: number, limit: number): Promise<StoreTimelineItem[]> {
    const CHUNK = 200;
    // Days whose first instant is before `before`: up to the CST date of `before - 1`.
    let upTo = cstDate(before - 1);
    let inclusive = true;
    const days: { date: string; bytes: number }[] = [];
    const spikes: StoreTimelineItem[] = [];
    let checked = 0;
    let exhausted = false;
    while (spikes.length < limit) {
      if (!exhausted) {
        const rows = await this.#store.db
          .selectFrom('usage_daily')
          .select(['date', 'bytes'])
          .where('card_id', '=', cardId)
          .where('date', inclusive ? '<=' : '<', upTo)
          .orderBy('date', 'desc')
          .limit(CHUNK)
          .execute();
        for (const row of rows) days.push({ date: row.date, bytes: Number(row.bytes) });
        if (rows.length < CHUNK) exhausted = true;
        else {
          upTo = rows[rows.length - 1]!.date;
          inclusive = false;
        }
      }
      // Judge every day whose previous window is read (all of them once the rows are exhausted).
      const judgeable = exhausted ? days.length : days.length - SPIKE_WINDOW_DAYS;
      for (; checked < judgeable && spikes.length < limit; checked++) {
        const day = days[checked]!;
        const previous = days.slice(checked + 1, checked + 1 + SPIKE_WINDOW_DAYS);
        if (previous.length < SPIKE_MIN_HISTORY) continue;
        const average = previous.reduce((sum, other) => sum + other.bytes, 0) / previous.length;
        if (day.bytes >= SPIKE_FACTOR * average && day.bytes - average >= SPIKE_MIN_EXCESS_BYTES) {
          spikes.push({
            kind: 'usage',
            key: `usage:${day.date}`,
            at: cstStartOfDay(day.date),
            date: day.date,
            bytes: day.bytes,
            averageBytes: Math.round(average),
          });
        }
      }
      if (exhausted) break;
    }
    return spikes;
  }
}

function newestFirst(a: StoreTimelineItem, b: StoreTimelineItem): number {
  return b.at - a.at || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);
}
