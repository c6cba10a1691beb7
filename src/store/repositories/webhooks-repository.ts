import type { Selectable } from 'kysely';
import { SimdockError } from '../../domain/index.js';
import { type SecretSealer, storeSecretSealer } from '../secret-sealer.js';
import type { RepositoryContext } from '../store-context.js';
import type { WebhookDeliveriesTable } from '../tables/webhooks.js';
import { EVENT_TYPES, type EventType } from './event-outbox.js';

/** Where a delivery stands: waiting for its next attempt, delivered, or given up. */
export type DeliveryState = 'pending' | 'succeeded' | 'failed';

/** A webhook endpoint as shown (the secret is shown once, when created). */
export interface WebhookEndpoint {
  id: number;
  tenantId: string;
  url: string;
  description: string | null;
  /** The event types sent; empty means every type. */
  eventTypes: EventType[];
  enabled: boolean;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookDelivery {
  id: number;
  endpointId: number;
  tenantId: string;
  /** The outbox row id of the event. */
  eventRowId: number;
  /** The event's id: the CloudEvents `id` and the `webhook-id` header. */
  eventId: string;
  eventType: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number | null;
  retryUntil: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookAttempt {
  id: number;
  deliveryId: number;
  at: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  /** Started by a person (redelivery), not by the schedule. */
  manual: boolean;
}

type EndpointRow = {
  id: number;
  tenant_id: string;
  url: string;
  description: string | null;
  secret: string;
  event_types: string;
  enabled: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
};

/** Tenants a caller may see: a list, or null for every tenant (the operator, the CLI). */
export type TenantFilter = readonly string[] | null;

/** Reads the event-type list of an endpoint, refusing unknown names. */
export function parseEventTypes(values: readonly string[]): EventType[] {
  const unknown = values.filter((value) => !(EVENT_TYPES as readonly string[]).includes(value));
  if (unknown.length > 0) {
    throw new SimdockError('invalid_argument', `unknown event types: ${unknown.join(', ')}`, {
      details: { field: 'eventTypes', unknown, known: EVENT_TYPES },
    });
  }
  return [...new Set(values)] as EventType[];
}

/** Webhook endpoints, deliveries and attempts in the store. */
export class WebhooksRepository {
  readonly #store: RepositoryContext;
  readonly #sealer: SecretSealer;

  constructor(store: RepositoryContext, sealer: SecretSealer = storeSecretSealer(store)) {
    this.#store = store;
    this.#sealer = sealer;
  }

  #db() {
    return this.#store.db;
  }

  async createEndpoint(input: {
    tenantId: string;
    url: string;
    secret: string;
    eventTypes: EventType[];
    description?: string | null;
    enabled?: boolean;
    createdBy?: string | null;
    now: number;
  }): Promise<WebhookEndpoint> {
    // The sealed secret is bound to the endpoint id, known only once the row exists: insert and
    // seal in one transaction, so no endpoint is ever seen without its secret.
    // The key is loaded first: loading it may read the database, which the open transaction
    // (one connection on SQLite) would otherwise wait on forever.
    await this.#sealer.seal('', 'key check');
    return this.#db()
      .transaction()
      .execute(async (transaction) => {
        const inserted = await transaction
          .insertInto('webhook_endpoints')
          .values({
            tenant_id: input.tenantId,
            url: input.url,
            description: input.description ?? null,
            secret: '',
            event_types: JSON.stringify(input.eventTypes),
            enabled: input.enabled === false ? 0 : 1,
            created_by: input.createdBy ?? null,
            created_at: input.now,
            updated_at: input.now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const id = Number(inserted.id);
        const sealed = await this.#sealer.seal(input.secret, secretBinding(id));
        await transaction
          .updateTable('webhook_endpoints')
          .set({ secret: sealed })
          .where('id', '=', id)
          .execute();
        const row = await transaction
          .selectFrom('webhook_endpoints')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return endpointOf(row as EndpointRow);
      });
  }

  async listEndpoints(tenants: TenantFilter): Promise<WebhookEndpoint[]> {
    let query = this.#db().selectFrom('webhook_endpoints').selectAll().orderBy('id');
    if (tenants) query = query.where('tenant_id', 'in', tenants.length ? [...tenants] : ['']);
    return (await query.execute()).map((row) => endpointOf(row as EndpointRow));
  }

  /** The endpoint, or `not_found` when absent or outside the tenants (existence never leaks). */
  async getEndpoint(id: number, tenants: TenantFilter): Promise<WebhookEndpoint> {
    const row = await this.#db()
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || (tenants && !tenants.includes(row.tenant_id))) {
      throw new SimdockError('not_found', `webhook endpoint ${id} not found`, {
        details: { endpoint: id },
      });
    }
    return endpointOf(row as EndpointRow);
  }

  /** The endpoint's signing secret, decrypted (for signing only; never shown again). */
  async endpointSecret(id: number): Promise<string> {
    const row = await this.#db()
      .selectFrom('webhook_endpoints')
      .select('secret')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return this.#sealer.open(row.secret, secretBinding(id), `webhook endpoint ${id}`);
  }

  async updateEndpoint(
    id: number,
    tenants: TenantFilter,
    changes: {
      url?: string;
      eventTypes?: EventType[];
      enabled?: boolean;
      description?: string | null;
    },
    now: number,
  ): Promise<WebhookEndpoint> {
    await this.getEndpoint(id, tenants);
    await this.#db()
      .updateTable('webhook_endpoints')
      .set({
        ...(changes.url !== undefined ? { url: changes.url } : {}),
        ...(changes.eventTypes !== undefined
          ? { event_types: JSON.stringify(changes.eventTypes) }
          : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    return this.getEndpoint(id, tenants);
  }

  /** Deletes an endpoint; its pending deliveries are given up, its history kept. */
  async deleteEndpoint(id: number, tenants: TenantFilter, now: number): Promise<void> {
    await this.getEndpoint(id, tenants);
    await this.#db()
      .transaction()
      .execute(async (transaction) => {
        await transaction
          .updateTable('webhook_deliveries')
          .set({
            state: 'failed',
            next_attempt_at: null,
            last_error: 'endpoint deleted',
            updated_at: now,
          })
          .where('endpoint_id', '=', id)
          .where('state', '=', 'pending')
          .execute();
        await transaction.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
      });
  }

  async listDeliveries(
    tenants: TenantFilter,
    filter: { endpointId?: number; state?: DeliveryState; limit?: number; beforeId?: number } = {},
  ): Promise<WebhookDelivery[]> {
    let query = this.#db()
      .selectFrom('webhook_deliveries')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(Math.min(filter.limit ?? 50, 500));
    if (tenants) query = query.where('tenant_id', 'in', tenants.length ? [...tenants] : ['']);
    if (filter.endpointId !== undefined) query = query.where('endpoint_id', '=', filter.endpointId);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    return (await query.execute()).map(deliveryOf);
  }

  async getDelivery(id: number, tenants: TenantFilter): Promise<WebhookDelivery> {
    const row = await this.#db()
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || (tenants && !tenants.includes(row.tenant_id))) {
      throw new SimdockError('not_found', `webhook delivery ${id} not found`, {
        details: { delivery: id },
      });
    }
    return deliveryOf(row);
  }

  async attempts(deliveryId: number): Promise<WebhookAttempt[]> {
    const rows = await this.#db()
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      deliveryId: Number(row.delivery_id),
      at: Number(row.at),
      statusCode: row.status_code === null ? null : Number(row.status_code),
      durationMs: Number(row.duration_ms),
      error: row.error,
      responseExcerpt: row.response_excerpt,
      manual: Number(row.manual) === 1,
    }));
  }

  /** Pending deliveries of enabled endpoints due at `now`, the most overdue first. */
  async dueDeliveries(now: number, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.#db()
      .selectFrom('webhook_deliveries')
      .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
      .selectAll('webhook_deliveries')
      .where('webhook_deliveries.state', '=', 'pending')
      .where('webhook_deliveries.next_attempt_at', '<=', now)
      // A disabled endpoint's deliveries wait (within their window) until it is enabled again.
      .where('webhook_endpoints.enabled', '=', 1)
      .orderBy('webhook_deliveries.next_attempt_at')
      .orderBy('webhook_deliveries.id')
      .limit(limit)
      .execute();
    return rows.map(deliveryOf);
  }

  /** Moves the end of a delivery's retry window. */
  async setRetryUntil(deliveryId: number, retryUntil: number, now: number): Promise<void> {
    await this.#db()
      .updateTable('webhook_deliveries')
      .set({ retry_until: retryUntil, updated_at: now })
      .where('id', '=', deliveryId)
      .execute();
  }

  /** The last outbox row id a cursor has fanned out (0 before the first). */
  async cursor(name: string): Promise<number> {
    const row = await this.#db()
      .selectFrom('webhook_cursor')
      .select('last_event_row_id')
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(row?.last_event_row_id ?? 0);
  }

  async saveCursor(name: string, lastEventRowId: number, now: number): Promise<void> {
    await this.#db()
      .insertInto('webhook_cursor')
      .values({ name, last_event_row_id: lastEventRowId, updated_at: now })
      .onConflict((conflict) =>
        conflict.column('name').doUpdateSet({ last_event_row_id: lastEventRowId, updated_at: now }),
      )
      .execute();
  }

  /**
   * Queues a first attempt at `now` of an event to an endpoint, once per endpoint and event;
   * returns whether it was new.
   */
  async queueDelivery(
    endpoint: { id: number; tenantId: string },
    event: { id: number; eventId: string; type: string },
    now: number,
    retryUntil: number,
  ): Promise<boolean> {
    const result = await this.#db()
      .insertInto('webhook_deliveries')
      .values({
        endpoint_id: endpoint.id,
        tenant_id: endpoint.tenantId,
        event_row_id: event.id,
        event_id: event.eventId,
        event_type: event.type,
        state: 'pending',
        attempts: 0,
        next_attempt_at: now,
        retry_until: retryUntil,
        last_status: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((conflict) => conflict.columns(['endpoint_id', 'event_row_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Takes a due delivery until `leaseUntil` (its next attempt moves there); false when another
   * worker took it first.
   */
  async claimDelivery(delivery: WebhookDelivery, now: number, leaseUntil: number) {
    const result = await this.#db()
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: leaseUntil, updated_at: now })
      .where('id', '=', delivery.id)
      .where('state', '=', 'pending')
      .where('next_attempt_at', '=', delivery.nextAttemptAt)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The endpoint's id and URL, whoever owns it; null when it was deleted. */
  async endpointTarget(id: number): Promise<{ id: number; url: string } | null> {
    const row = await this.#db()
      .selectFrom('webhook_endpoints')
      .select(['id', 'url'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { id: Number(row.id), url: row.url } : null;
  }

  /** Logs an attempt and sets the delivery's new state; returns the attempt's id. */
  async recordAttempt(
    deliveryId: number,
    attempt: Omit<WebhookAttempt, 'id' | 'deliveryId'>,
    outcome: {
      state: DeliveryState;
      attempts: number;
      nextAttemptAt: number | null;
      updatedAt: number;
    },
  ): Promise<number> {
    const inserted = await this.#db()
      .insertInto('webhook_attempts')
      .values({
        delivery_id: deliveryId,
        at: attempt.at,
        status_code: attempt.statusCode,
        duration_ms: attempt.durationMs,
        error: attempt.error,
        response_excerpt: attempt.responseExcerpt,
        manual: attempt.manual ? 1 : 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.#db()
      .updateTable('webhook_deliveries')
      .set({
        state: outcome.state,
        attempts: outcome.attempts,
        next_attempt_at: outcome.nextAttemptAt,
        last_status: attempt.statusCode,
        last_error: attempt.error,
        updated_at: outcome.updatedAt,
      })
      .where('id', '=', deliveryId)
      .execute();
    return Number(inserted.id);
  }
}

/** Secrets are bound to their row, so a sealed value copied to another endpoint fails. */
function secretBinding(id: number): string {
  return `webhook-endpoint:${id}`;
}

function endpointOf(row: EndpointRow): WebhookEndpoint {
  return {
    id: Number(row.id),
    tenantId: row.tenant_id,
    url: row.url,
    description: row.description,
    eventTypes: JSON.parse(row.event_types) as EventType[],
    enabled: Number(row.enabled) === 1,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function deliveryOf(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: Number(row.id),
    endpointId: Number(row.endpoint_id),
    tenantId: row.tenant_id,
    eventRowId: Number(row.event_row_id),
    eventId: row.event_id,
    eventType: row.event_type,
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    retryUntil: Number(row.retry_until),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
