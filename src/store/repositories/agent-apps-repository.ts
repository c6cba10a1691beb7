import { randomBytes } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import { SimdockError } from '../../domain/index.js';
import { type SecretSealer, storeSecretSealer } from '../secret-sealer.js';
import type { RepositoryContext } from '../store-context.js';
import type { Database } from '../store-schema.js';
import { TenantsRepository } from './tenants-repository.js';

/**
 * Apps of simdock's own agent open API: each belongs to one tenant and signs its calls with its
 * secret (kept encrypted: the server needs it in clear to check `sign`). The appID and secret
 * are shown once, when the app is created.
 */
export interface AgentApp {
  appId: string;
  tenantId: string;
  name: string | null;
  enabled: boolean;
  createdAt: number;
}

type AppRow = Database['agent_apps'];

function appOf(row: AppRow): AgentApp {
  return {
    appId: row.app_id,
    tenantId: row.tenant_id,
    name: row.name,
    enabled: Number(row.enabled) === 1,
    createdAt: Number(row.created_at),
  };
}

export class AgentAppsRepository {
  readonly #store: RepositoryContext;
  readonly #sealer: SecretSealer;

  constructor(store: RepositoryContext, sealer: SecretSealer = storeSecretSealer(store)) {
    this.#store = store;
    this.#sealer = sealer;
  }

  /**
   * The Kysely instance, for the agent open API's operation records until their queries move
   * here. Internal: nothing else may use it.
   * @internal
   */
  db() {
    return this.#store.db;
  }

  /** Creates an app for a tenant; returns it with its secret, shown this once. */
  async create(input: { tenantId: string; name?: string | null; now: number }) {
    const tenant = await new TenantsRepository(this.#store).get(input.tenantId);
    if (!tenant) {
      throw new SimdockError('not_found', `no tenant "${input.tenantId}"`, {
        details: { tenant: input.tenantId },
      });
    }
    const appId = `sd${randomBytes(8).toString('hex')}`;
    const secret = randomBytes(24).toString('hex');
    const row: AppRow = {
      app_id: appId,
      tenant_id: tenant.id,
      name: input.name ?? null,
      secret: await this.#sealer.seal(secret, binding(appId)),
      enabled: 1,
      created_at: input.now,
    };
    await this.db().insertInto('agent_apps').values(row).execute();
    return { app: appOf(row), secret };
  }

  async list(tenantId?: string): Promise<AgentApp[]> {
    let query = this.db().selectFrom('agent_apps').selectAll().orderBy('created_at');
    if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
    return (await query.execute()).map(appOf);
  }

  /** The app and its secret in clear, for checking a signature; null when unknown. */
  async credentials(appId: string): Promise<{ app: AgentApp; secret: string } | null> {
    const row = await this.db()
      .selectFrom('agent_apps')
      .selectAll()
      .where('app_id', '=', appId)
      .executeTakeFirst();
    if (!row) return null;
    const secret = await this.#sealer.open(row.secret, binding(appId), `agent app ${appId}`);
    return { app: appOf(row), secret };
  }

  async setEnabled(appId: string, enabled: boolean): Promise<void> {
    await this.db()
      .updateTable('agent_apps')
      .set({ enabled: enabled ? 1 : 0 })
      .where('app_id', '=', appId)
      .execute();
  }

  /**
   * Records a traceID as used until `expiresAt`; false when the app already used it (a replay).
   * Expired traceIDs are dropped now and then: a timestamp that old is refused anyway.
   */
  async recordTraceId(appId: string, traceId: string, now: number, expiresAt: number) {
    const result = await this.db()
      .insertInto('agent_trace_ids')
      .values({ app_id: appId, trace_id: traceId, expires_at: expiresAt })
      .onConflict((conflict) => conflict.columns(['app_id', 'trace_id']).doNothing())
      .executeTakeFirst();
    if (randomBytes(1)[0]! < 4) {
      await this.db().deleteFrom('agent_trace_ids').where('expires_at', '<', now).execute();
    }
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  /** Whether the card has an operation record still in `status` (processing). */
  async hasOperationRecord(cardId: number, status: number): Promise<boolean> {
    const busy = await this.db()
      .selectFrom('agent_operation_records')
      .select('id')
      .where('card_id', '=', cardId)
      .where('status', '=', status)
      .executeTakeFirst();
    return busy !== undefined;
  }

  /** Appends one operation record (a card of a batch stop or restore). */
  async insertOperationRecord(record: Insertable<AgentOperationRecordsTable>): Promise<void> {
    await this.db().insertInto('agent_operation_records').values(record).execute();
  }

  /** Settles a card's record of a batch. */
  async settleOperationRecord(
    batchNo: string,
    cardId: number,
    outcome: { status: number; remark: string; finishedAt: number },
  ): Promise<void> {
    await this.db()
      .updateTable('agent_operation_records')
      .set({ status: outcome.status, remark: outcome.remark, finished_at: outcome.finishedAt })
      .where('batch_no', '=', batchNo)
      .where('card_id', '=', cardId)
      .execute();
  }

  /** A tenant's operation records, by id, optionally of one card and/or one batch. */
  async operationRecords(filter: {
    tenantId: string;
    cardId?: number;
    batchNo?: string;
  }): Promise<Selectable<AgentOperationRecordsTable>[]> {
    let query = this.db()
      .selectFrom('agent_operation_records')
      .selectAll()
      .where('tenant_id', '=', filter.tenantId);
    if (filter.cardId !== undefined) query = query.where('card_id', '=', filter.cardId);
    if (filter.batchNo) query = query.where('batch_no', '=', filter.batchNo);
    return query.orderBy('id').execute();
  }
}

type AgentOperationRecordsTable = Database['agent_operation_records'];

function binding(appId: string): string {
  return `agent-app:${appId}`;
}
