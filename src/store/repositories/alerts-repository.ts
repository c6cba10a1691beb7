import type { Selectable } from 'kysely';
import { SimdockError } from '../../domain/index.js';
import type { Severity } from '../../domain/rules-model.js';
import { type CardScope, cardVisible } from '../card-scope.js';
import type { RepositoryContext } from '../store-context.js';
import type { Database } from '../store-schema.js';

/** An alert: a rule that fired, or an alarm the supplier raised. */
export interface StoredAlert {
  id: number;
  /** The rule that fired; null for a supplier alarm. */
  ruleId: number | null;
  cardId: number | null;
  poolId: number | null;
  account: string | null;
  /** The cycle (first CST date), day or event the alert is about: one alert per rule, subject and cycle. */
  cycle: string;
  dedupeKey: string;
  /** `rule` or `supplier:<type>`. */
  source: string;
  kind: string;
  severity: Severity;
  message: string;
  data: Record<string, unknown>;
  createdAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
}

export interface AlertInput {
  ruleId?: number | null;
  cardId?: number | null;
  poolId?: number | null;
  account?: string | null;
  cycle: string;
  /** Unique among all alerts: the same key is recorded once. */
  dedupeKey: string;
  source: string;
  kind: string;
  severity: Severity;
  message: string;
  data?: Record<string, unknown>;
}

type AlertRow = Selectable<Database['alerts']>;

function toAlert(row: AlertRow): StoredAlert {
  const optionalNumber = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: Number(row.id),
    ruleId: optionalNumber(row.rule_id),
    cardId: optionalNumber(row.card_id),
    poolId: optionalNumber(row.pool_id),
    account: row.account_id,
    cycle: row.cycle,
    dedupeKey: row.dedupe_key,
    source: row.source,
    kind: row.kind,
    severity: row.severity as Severity,
    message: row.message,
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    acknowledgedAt: optionalNumber(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
  };
}

export interface AlertListQuery {
  /** Only alerts not acknowledged (true) or only acknowledged ones (false). */
  open?: boolean;
  cardId?: number;
  ruleId?: number;
  kind?: string;
  /** Alerts with ids above this one. */
  afterId?: number;
  limit?: number;
}

/** Alerts, recorded once per dedupe key, and their acknowledgement. */
export class AlertsRepository {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  #db() {
    return this.#store.db;
  }

  /**
   * Records an alert unless one with the same dedupe key exists. `created` tells which: only the
   * caller that created it acts on it, so actions run once even when evaluations race.
   */
  async raise(input: AlertInput): Promise<{ alert: StoredAlert; created: boolean }> {
    const result = await this.#db()
      .insertInto('alerts')
      .values({
        rule_id: input.ruleId ?? null,
        card_id: input.cardId ?? null,
        pool_id: input.poolId ?? null,
        account_id: input.account ?? null,
        cycle: input.cycle,
        dedupe_key: input.dedupeKey,
        source: input.source,
        kind: input.kind,
        severity: input.severity,
        message: input.message,
        data: JSON.stringify(input.data ?? {}),
        created_at: this.#now(),
      })
      .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
      .executeTakeFirst();
    const created = Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    const row = await this.#db()
      .selectFrom('alerts')
      .selectAll()
      .where('dedupe_key', '=', input.dedupeKey)
      .executeTakeFirstOrThrow();
    return { alert: toAlert(row), created };
  }

  /** Merges `data` into an alert's data (action outcomes). */
  async addData(id: number, data: Record<string, unknown>): Promise<void> {
    const alert = await this.get(id);
    if (!alert) throw new SimdockError('not_found', `no alert ${id}`);
    await this.#db()
      .updateTable('alerts')
      .set({ data: JSON.stringify({ ...alert.data, ...data }) })
      .where('id', '=', id)
      .execute();
  }

  async get(id: number): Promise<StoredAlert | null> {
    const row = await this.#db()
      .selectFrom('alerts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toAlert(row) : null;
  }

  /** Alerts by id, oldest first. */
  async list(query: AlertListQuery = {}): Promise<StoredAlert[]> {
    let select = this.#db()
      .selectFrom('alerts')
      .selectAll()
      .where('id', '>', query.afterId ?? 0);
    if (query.open === true) select = select.where('acknowledged_at', 'is', null);
    if (query.open === false) select = select.where('acknowledged_at', 'is not', null);
    if (query.cardId !== undefined) select = select.where('card_id', '=', query.cardId);
    if (query.ruleId !== undefined) select = select.where('rule_id', '=', query.ruleId);
    if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
    const rows = await select
      .orderBy('id')
      .limit(query.limit ?? 100)
      .execute();
    return rows.map(toAlert);
  }

  /**
   * Acknowledges alerts; ones already acknowledged keep their first acknowledgement. Unknown
   * ids are `not_found` (nothing is changed). Returns how many were newly acknowledged.
   */
  async acknowledge(ids: readonly number[], by: string): Promise<number> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return 0;
    const found = await this.#db()
      .selectFrom('alerts')
      .select('id')
      .where('id', 'in', unique)
      .execute();
    if (found.length !== unique.length) {
      const known = new Set(found.map((row) => Number(row.id)));
      const missing = unique.filter((id) => !known.has(id));
      throw new SimdockError('not_found', `no alert ${missing.join(', ')}`);
    }
    const result = await this.#db()
      .updateTable('alerts')
      .set({ acknowledged_at: this.#now(), acknowledged_by: by })
      .where('id', 'in', unique)
      .where('acknowledged_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * The ids of the alerts a scope may see (the root also sees alerts naming no card), newest
   * first, at most `limit`, with ids below `before` when given.
   */
  async visibleIds(
    scope: CardScope,
    filter: {
      cardId?: number;
      state?: 'open' | 'acknowledged';
      kind?: string;
      severity?: Severity;
      ruleId?: number;
      account?: string;
      /** Raised at or after / before this epoch-ms instant. */
      createdFrom?: number;
      createdBefore?: number;
      before?: number;
      limit: number;
    },
  ): Promise<number[]> {
    let select = this.#db()
      .selectFrom('alerts')
      .select('alerts.id')
      .where(cardVisible(scope, 'alerts.card_id'));
    if (filter.cardId !== undefined) select = select.where('card_id', '=', filter.cardId);
    if (filter.state === 'open') select = select.where('acknowledged_at', 'is', null);
    if (filter.state === 'acknowledged') {
      select = select.where('acknowledged_at', 'is not', null);
    }
    if (filter.kind) select = select.where('kind', '=', filter.kind);
    if (filter.severity) select = select.where('severity', '=', filter.severity);
    if (filter.ruleId !== undefined) select = select.where('rule_id', '=', filter.ruleId);
    if (filter.account) select = select.where('account_id', '=', filter.account);
    if (filter.createdFrom !== undefined) {
      select = select.where('created_at', '>=', filter.createdFrom);
    }
    if (filter.createdBefore !== undefined) {
      select = select.where('created_at', '<', filter.createdBefore);
    }
    if (filter.before) select = select.where('alerts.id', '<', filter.before);
    const rows = await select.orderBy('alerts.id', 'desc').limit(filter.limit).execute();
    return rows.map((row) => Number(row.id));
  }

  /** Whether alert `id` exists and the scope may see it. */
  async isVisible(scope: CardScope, id: number): Promise<boolean> {
    const visible = await this.#db()
      .selectFrom('alerts')
      .select('id')
      .where('id', '=', id)
      .where(cardVisible(scope, 'alerts.card_id'))
      .executeTakeFirst();
    return visible !== undefined;
  }
}
