import type { Selectable } from 'kysely';
import { SimdockError } from '../domain/errors.js';
import { subtreePattern } from './card-scope.js';
import type { StoreContext } from './store-context.js';
import type { AuditLogTable } from './store-schema.js';
import { parseJsonObject, requireObject, requirePositive, requireText } from './store-sql.js';

/** How an audited action ended. */
export type AuditOutcome = 'succeeded' | 'failed' | 'skipped';

const OUTCOMES: readonly AuditOutcome[] = ['succeeded', 'failed', 'skipped'];

/** What `audit.record` takes: who did what to which target, and how it went. */
export interface AuditInput {
  /** A user, an API key, `cli`, `scheduler`, … */
  actor: string;
  /** `cards.pause`, `sync`, `accounts.upsert`, … */
  action: string;
  /** `card`, `account`, `job`, … */
  targetType: string;
  targetId: string;
  account?: string | null;
  outcome: AuditOutcome;
  /** Must not contain secrets. */
  details?: Record<string, unknown>;
}

export interface StoredAuditEntry {
  id: number;
  /** Epoch milliseconds. */
  at: number;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  account: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown> | null;
}

/** The audit log: append-only. */
export class AuditRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /** Appends an entry; returns its id. */
  async record(entry: AuditInput): Promise<number> {
    if (!OUTCOMES.includes(entry.outcome)) {
      throw new SimdockError('invalid_argument', `unknown audit outcome "${entry.outcome}"`);
    }
    const details =
      entry.details === undefined ? null : JSON.stringify(requireObject(entry.details, 'details'));
    const row = await this.#context.db
      .insertInto('audit_log')
      .values({
        at: this.#context.clock.now(),
        actor: requireText(entry.actor, 'actor'),
        action: requireText(entry.action, 'action'),
        target_type: requireText(entry.targetType, 'targetType'),
        target_id: requireText(entry.targetId, 'targetId'),
        account_id: entry.account ?? null,
        outcome: entry.outcome,
        details,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Appends many entries at one instant, 500 a statement (a bulk job's per-card records). The
   * caller builds them from its own state: unlike `record`, they are not checked one by one.
   */
  async recordMany(entries: readonly AuditInput[], at: number): Promise<void> {
    const rows = entries.map((entry) => ({
      at,
      actor: entry.actor,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      account_id: entry.account ?? null,
      outcome: entry.outcome,
      details: entry.details === undefined ? null : JSON.stringify(entry.details),
    }));
    for (let start = 0; start < rows.length; start += 500) {
      await this.#context.db
        .insertInto('audit_log')
        .values(rows.slice(start, start + 500))
        .execute();
    }
  }

  /** Entries, newest first (default 100), optionally for one target or account. */
  async list(
    filter: { targetId?: string; account?: string; limit?: number } = {},
  ): Promise<StoredAuditEntry[]> {
    let select = this.#context.db.selectFrom('audit_log').selectAll();
    if (filter.targetId !== undefined) select = select.where('target_id', '=', filter.targetId);
    if (filter.account !== undefined) select = select.where('account_id', '=', filter.account);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(requirePositive(filter.limit ?? 100, 'limit'))
      .execute();
    return rows.map(toAuditEntry);
  }

  /** Tags an entry with the tenant it was made in, so that tenant's admins (and those above) see it. */
  async tagTenant(auditId: number, tenantPath: string): Promise<void> {
    await this.#context.db
      .insertInto('audit_tenants')
      .values({ audit_id: auditId, tenant_path: tenantPath })
      .execute();
  }

  /**
   * Entries newest first, within a tenant's subtree (`tenantPath`), or every entry (the CLI's and
   * the scheduler's too) when `tenantPath` is null.
   */
  async listInSubtree(
    tenantPath: string | null,
    filter: { targetType?: string; targetId?: string; beforeId?: number; limit: number },
  ): Promise<StoredAuditEntry[]> {
    let select = this.#context.db
      .selectFrom('audit_log')
      .leftJoin('audit_tenants', 'audit_tenants.audit_id', 'audit_log.id')
      .selectAll('audit_log');
    if (tenantPath !== null) {
      select = select.where('audit_tenants.tenant_path', 'like', subtreePattern(tenantPath));
    }
    if (filter.targetType !== undefined) {
      select = select.where('audit_log.target_type', '=', filter.targetType);
    }
    if (filter.targetId !== undefined) {
      select = select.where('audit_log.target_id', '=', filter.targetId);
    }
    if (filter.beforeId !== undefined) select = select.where('audit_log.id', '<', filter.beforeId);
    const rows = await select.orderBy('audit_log.id', 'desc').limit(filter.limit).execute();
    return rows.map((row) => ({
      id: Number(row.id),
      at: Number(row.at),
      actor: row.actor,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      account: row.account_id,
      outcome: row.outcome as AuditOutcome,
      details: parseJsonObject(row.details),
    }));
  }
}

function toAuditEntry(row: Selectable<AuditLogTable>): StoredAuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    account: row.account_id,
    outcome: row.outcome as AuditOutcome,
    details: parseJsonObject(row.details),
  };
}
