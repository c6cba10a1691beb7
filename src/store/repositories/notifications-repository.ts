import type { Selectable } from 'kysely';
import { SimdockError } from '../../domain/index.js';
import { type SecretSealer, storeSecretSealer } from '../secret-sealer.js';
import type { RepositoryContext } from '../store-context.js';
import type {
  NotificationAttemptsTable,
  NotificationChannelsTable,
  NotificationMessagesTable,
} from '../tables/notifications.js';

/** Tenants a caller may see: a list, or null for every tenant (the operator, the CLI). */
export type NotificationTenantFilter = readonly string[] | null;

/** A channel as stored, without its secrets (those are read only to send). */
export interface NotificationChannelRecord {
  id: number;
  tenantId: string;
  name: string;
  type: string;
  locale: string;
  settings: Record<string, unknown>;
  ruleIds: number[];
  minSeverity: string;
  dailyDigest: boolean;
  perMinute: number;
  enabled: boolean;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NotificationChannelInput {
  tenantId: string;
  name: string;
  type: string;
  locale: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  ruleIds: number[];
  minSeverity: string;
  dailyDigest: boolean;
  perMinute: number;
  enabled: boolean;
  createdBy: string | null;
}

export interface NotificationItem {
  id: number;
  channelId: number;
  kind: string;
  dedupeKey: string;
  alertId: number | null;
  data: Record<string, unknown>;
  messageId: number | null;
  createdAt: number;
}

export type NotificationMessageState = 'pending' | 'succeeded' | 'failed';

export interface NotificationMessage {
  id: number;
  channelId: number;
  tenantId: string;
  kind: string;
  items: number;
  title: string;
  body: string;
  state: NotificationMessageState;
  attempts: number;
  nextAttemptAt: number | null;
  retryUntil: number;
  lastStatus: number | null;
  lastCode: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NotificationAttempt {
  id: number;
  messageId: number;
  at: number;
  statusCode: number | null;
  answerCode: string | null;
  answer: string | null;
  error: string | null;
  durationMs: number;
  manual: boolean;
}

/** Notification channels, the items waiting for them, the messages sent and every attempt. */
export class NotificationsRepository {
  readonly #store: RepositoryContext;
  readonly #sealer: SecretSealer;

  constructor(store: RepositoryContext, sealer: SecretSealer = storeSecretSealer(store)) {
    this.#store = store;
    this.#sealer = sealer;
  }

  #db() {
    return this.#store.db;
  }

  async createChannel(
    input: NotificationChannelInput,
    now: number,
  ): Promise<NotificationChannelRecord> {
    // The secrets are sealed bound to the row id: insert and seal in one transaction. The key is
    // loaded first, outside it (loading may read the database; SQLite has one connection).
    await this.#sealer.seal('', 'key check');
    return this.#db()
      .transaction()
      .execute(async (transaction) => {
        const inserted = await transaction
          .insertInto('notification_channels')
          .values({
            tenant_id: input.tenantId,
            name: input.name,
            type: input.type,
            locale: input.locale,
            settings: JSON.stringify(input.settings),
            secrets: '',
            rule_ids: JSON.stringify(input.ruleIds),
            min_severity: input.minSeverity,
            daily_digest: input.dailyDigest ? 1 : 0,
            per_minute: input.perMinute,
            enabled: input.enabled ? 1 : 0,
            lease_until: 0,
            created_by: input.createdBy,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const id = Number(inserted.id);
        const sealed = await this.#sealer.seal(JSON.stringify(input.secrets), binding(id));
        await transaction
          .updateTable('notification_channels')
          .set({ secrets: sealed })
          .where('id', '=', id)
          .execute();
        const row = await transaction
          .selectFrom('notification_channels')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return channelOf(row);
      });
  }

  async listChannels(tenants: NotificationTenantFilter): Promise<NotificationChannelRecord[]> {
    let query = this.#db().selectFrom('notification_channels').selectAll().orderBy('id');
    if (tenants) query = query.where('tenant_id', 'in', tenants.length ? [...tenants] : ['']);
    return (await query.execute()).map(channelOf);
  }

  /** The channel, or `not_found` when absent or outside the tenants (existence never leaks). */
  async getChannel(id: number, tenants: NotificationTenantFilter) {
    const row = await this.#db()
      .selectFrom('notification_channels')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || (tenants && !tenants.includes(row.tenant_id))) {
      throw new SimdockError('not_found', `notification channel ${id} not found`, {
        details: { channel: id },
      });
    }
    return channelOf(row);
  }

  /** The channel's secrets, decrypted (to send only; never shown). */
  async channelSecrets(id: number): Promise<Record<string, string>> {
    const row = await this.#db()
      .selectFrom('notification_channels')
      .select('secrets')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const text = await this.#sealer.open(row.secrets, binding(id), `notification channel ${id}`);
    return JSON.parse(text) as Record<string, string>;
  }

  async updateChannel(
    id: number,
    tenants: NotificationTenantFilter,
    changes: Partial<Omit<NotificationChannelInput, 'tenantId' | 'type' | 'createdBy'>>,
    now: number,
  ): Promise<NotificationChannelRecord> {
    await this.getChannel(id, tenants);
    const sealed =
      changes.secrets === undefined
        ? undefined
        : await this.#sealer.seal(JSON.stringify(changes.secrets), binding(id));
    await this.#db()
      .updateTable('notification_channels')
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.locale !== undefined ? { locale: changes.locale } : {}),
        ...(changes.settings !== undefined ? { settings: JSON.stringify(changes.settings) } : {}),
        ...(sealed !== undefined ? { secrets: sealed } : {}),
        ...(changes.ruleIds !== undefined ? { rule_ids: JSON.stringify(changes.ruleIds) } : {}),
        ...(changes.minSeverity !== undefined ? { min_severity: changes.minSeverity } : {}),
        ...(changes.dailyDigest !== undefined ? { daily_digest: changes.dailyDigest ? 1 : 0 } : {}),
        ...(changes.perMinute !== undefined ? { per_minute: changes.perMinute } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    return this.getChannel(id, tenants);
  }

  /** Deletes a channel; its waiting messages are given up, its log kept. */
  async deleteChannel(id: number, tenants: NotificationTenantFilter, now: number) {
    await this.getChannel(id, tenants);
    await this.#db()
      .transaction()
      .execute(async (transaction) => {
        await transaction
          .updateTable('notification_messages')
          .set({
            state: 'failed',
            next_attempt_at: null,
            last_error: 'channel deleted',
            updated_at: now,
          })
          .where('channel_id', '=', id)
          .where('state', '=', 'pending')
          .execute();
        await transaction.deleteFrom('notification_items').where('channel_id', '=', id).execute();
        await transaction.deleteFrom('notification_channels').where('id', '=', id).execute();
      });
  }

  /** Holds a channel for one delivery pass until `until`; false when another pass holds it. */
  async leaseChannel(id: number, now: number, until: number): Promise<boolean> {
    const result = await this.#db()
      .updateTable('notification_channels')
      .set({ lease_until: until })
      .where('id', '=', id)
      .where('lease_until', '<=', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async releaseChannel(id: number): Promise<void> {
    await this.#db()
      .updateTable('notification_channels')
      .set({ lease_until: 0 })
      .where('id', '=', id)
      .execute();
  }

  /** Queues an item once per channel and key; returns whether it was new. */
  async queueItem(input: {
    channelId: number;
    kind: string;
    dedupeKey: string;
    alertId: number | null;
    data: Record<string, unknown>;
    now: number;
  }): Promise<boolean> {
    const result = await this.#db()
      .insertInto('notification_items')
      .values({
        channel_id: input.channelId,
        kind: input.kind,
        dedupe_key: input.dedupeKey,
        alert_id: input.alertId,
        data: JSON.stringify(input.data),
        message_id: null,
        created_at: input.now,
      })
      .onConflict((conflict) => conflict.columns(['channel_id', 'dedupe_key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Items not yet carried by a message, oldest first. */
  async waitingItems(channelId: number, limit: number): Promise<NotificationItem[]> {
    const rows = await this.#db()
      .selectFrom('notification_items')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('message_id', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(itemOf);
  }

  async countWaiting(channelId: number): Promise<number> {
    const row = await this.#db()
      .selectFrom('notification_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel_id', '=', channelId)
      .where('message_id', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The items a message carried, oldest first. */
  async messageItems(messageId: number): Promise<NotificationItem[]> {
    const rows = await this.#db()
      .selectFrom('notification_items')
      .selectAll()
      .where('message_id', '=', messageId)
      .orderBy('id')
      .execute();
    return rows.map(itemOf);
  }

  /** Records a message carrying `itemIds` (they stop waiting), due at once. */
  async createMessage(input: {
    channelId: number;
    tenantId: string;
    kind: string;
    itemIds: readonly number[];
    title: string;
    body: string;
    now: number;
    retryUntil: number;
  }): Promise<NotificationMessage> {
    return this.#db()
      .transaction()
      .execute(async (transaction) => {
        const inserted = await transaction
          .insertInto('notification_messages')
          .values({
            channel_id: input.channelId,
            tenant_id: input.tenantId,
            kind: input.kind,
            items: input.itemIds.length,
            title: input.title,
            body: input.body,
            state: 'pending',
            attempts: 0,
            next_attempt_at: input.now,
            retry_until: input.retryUntil,
            last_status: null,
            last_code: null,
            last_error: null,
            created_at: input.now,
            updated_at: input.now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const id = Number(inserted.id);
        for (let start = 0; start < input.itemIds.length; start += 500) {
          await transaction
            .updateTable('notification_items')
            .set({ message_id: id })
            .where('id', 'in', input.itemIds.slice(start, start + 500))
            .execute();
        }
        const row = await transaction
          .selectFrom('notification_messages')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return messageOf(row);
      });
  }

  /** Pending messages of a channel due at `now`, oldest first. */
  async dueMessages(channelId: number, now: number, limit: number) {
    const rows = await this.#db()
      .selectFrom('notification_messages')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(messageOf);
  }

  /** The channel's latest message (its kind and when it was made), null before the first. */
  async lastMessage(channelId: number): Promise<{ kind: string; createdAt: number } | null> {
    const row = await this.#db()
      .selectFrom('notification_messages')
      .select(['kind', 'created_at'])
      .where('channel_id', '=', channelId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { kind: row.kind, createdAt: Number(row.created_at) } : null;
  }

  /** Whether a channel has a message waiting for a retry (new items then wait behind it). */
  async hasPending(channelId: number): Promise<boolean> {
    const row = await this.#db()
      .selectFrom('notification_messages')
      .select('id')
      .where('channel_id', '=', channelId)
      .where('state', '=', 'pending')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Attempts made to a channel at or after `since` (its rate window), by hand or not. */
  async attemptsSince(channelId: number, since: number): Promise<number> {
    const row = await this.#db()
      .selectFrom('notification_attempts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel_id', '=', channelId)
      .where('at', '>=', since)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async listMessages(
    tenants: NotificationTenantFilter,
    filter: {
      channelId?: number;
      state?: NotificationMessageState;
      limit?: number;
      beforeId?: number;
    } = {},
  ): Promise<NotificationMessage[]> {
    let query = this.#db()
      .selectFrom('notification_messages')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(Math.min(filter.limit ?? 50, 500));
    if (tenants) query = query.where('tenant_id', 'in', tenants.length ? [...tenants] : ['']);
    if (filter.channelId !== undefined) query = query.where('channel_id', '=', filter.channelId);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
    return (await query.execute()).map(messageOf);
  }

  async getMessage(id: number, tenants: NotificationTenantFilter): Promise<NotificationMessage> {
    const row = await this.#db()
      .selectFrom('notification_messages')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || (tenants && !tenants.includes(row.tenant_id))) {
      throw new SimdockError('not_found', `notification message ${id} not found`, {
        details: { message: id },
      });
    }
    return messageOf(row);
  }

  async attempts(messageId: number): Promise<NotificationAttempt[]> {
    const rows = await this.#db()
      .selectFrom('notification_attempts')
      .selectAll()
      .where('message_id', '=', messageId)
      .orderBy('id')
      .execute();
    return rows.map(attemptOf);
  }

  /** Logs an attempt and sets the message's new state. */
  async recordAttempt(
    message: { id: number; channelId: number },
    attempt: Omit<NotificationAttempt, 'id' | 'messageId'>,
    outcome: {
      state: NotificationMessageState;
      attempts: number;
      nextAttemptAt: number | null;
      retryUntil?: number;
      updatedAt: number;
    },
  ): Promise<void> {
    await this.#db()
      .transaction()
      .execute(async (transaction) => {
        await transaction
          .insertInto('notification_attempts')
          .values({
            message_id: message.id,
            channel_id: message.channelId,
            at: attempt.at,
            status_code: attempt.statusCode,
            answer_code: attempt.answerCode,
            answer: attempt.answer,
            error: attempt.error,
            duration_ms: attempt.durationMs,
            manual: attempt.manual ? 1 : 0,
          })
          .execute();
        await transaction
          .updateTable('notification_messages')
          .set({
            state: outcome.state,
            attempts: outcome.attempts,
            next_attempt_at: outcome.nextAttemptAt,
            ...(outcome.retryUntil !== undefined ? { retry_until: outcome.retryUntil } : {}),
            last_status: attempt.statusCode,
            last_code: attempt.answerCode,
            last_error: attempt.error,
            updated_at: outcome.updatedAt,
          })
          .where('id', '=', message.id)
          .execute();
      });
  }

  /** The last alert id a cursor has routed (0 before the first). */
  async cursor(name: string): Promise<number> {
    const row = await this.#db()
      .selectFrom('notification_cursor')
      .select('last_id')
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(row?.last_id ?? 0);
  }

  async saveCursor(name: string, lastId: number, now: number): Promise<void> {
    await this.#db()
      .insertInto('notification_cursor')
      .values({ name, last_id: lastId, updated_at: now })
      .onConflict((conflict) =>
        conflict.column('name').doUpdateSet({ last_id: lastId, updated_at: now }),
      )
      .execute();
  }
}

/** Secrets are bound to their row: a sealed value copied to another channel fails. */
function binding(id: number): string {
  return `notification-channel:${id}`;
}

function channelOf(row: Selectable<NotificationChannelsTable>): NotificationChannelRecord {
  return {
    id: Number(row.id),
    tenantId: row.tenant_id,
    name: row.name,
    type: row.type,
    locale: row.locale,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    ruleIds: JSON.parse(row.rule_ids) as number[],
    minSeverity: row.min_severity,
    dailyDigest: Number(row.daily_digest) === 1,
    perMinute: Number(row.per_minute),
    enabled: Number(row.enabled) === 1,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function itemOf(row: {
  id: number;
  channel_id: number;
  kind: string;
  dedupe_key: string;
  alert_id: number | null;
  data: string;
  message_id: number | null;
  created_at: number;
}): NotificationItem {
  return {
    id: Number(row.id),
    channelId: Number(row.channel_id),
    kind: row.kind,
    dedupeKey: row.dedupe_key,
    alertId: row.alert_id === null ? null : Number(row.alert_id),
    data: JSON.parse(row.data) as Record<string, unknown>,
    messageId: row.message_id === null ? null : Number(row.message_id),
    createdAt: Number(row.created_at),
  };
}

function messageOf(row: Selectable<NotificationMessagesTable>): NotificationMessage {
  const optional = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: Number(row.id),
    channelId: Number(row.channel_id),
    tenantId: row.tenant_id,
    kind: row.kind,
    items: Number(row.items),
    title: row.title,
    body: row.body,
    state: row.state as NotificationMessageState,
    attempts: Number(row.attempts),
    nextAttemptAt: optional(row.next_attempt_at),
    retryUntil: Number(row.retry_until),
    lastStatus: optional(row.last_status),
    lastCode: row.last_code,
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function attemptOf(row: Selectable<NotificationAttemptsTable>): NotificationAttempt {
  return {
    id: Number(row.id),
    messageId: Number(row.message_id),
    at: Number(row.at),
    statusCode: row.status_code === null ? null : Number(row.status_code),
    answerCode: row.answer_code,
    answer: row.answer,
    error: row.error,
    durationMs: Number(row.duration_ms),
    manual: Number(row.manual) === 1,
  };
}
