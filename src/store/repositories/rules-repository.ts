import type { Selectable, Updateable } from 'kysely';
import { SimdockError } from '../../domain/index.js';
import {
  defaultSeverity,
  isRuleKind,
  isRuleScope,
  parseActions,
  parseThresholds,
  type RuleAction,
  type RuleKind,
  type RuleScope,
  SEVERITIES,
  type Severity,
  type StoredRule,
} from '../../domain/rules-model.js';
import type { AccountsRepository } from '../accounts-repository.js';
import type { CardsRepository } from '../cards-repository.js';
import type { RepositoryContext } from '../store-context.js';
import type { Database } from '../store-schema.js';

export interface RuleInput {
  name?: string | null;
  scope: RuleScope;
  targetId: string | number;
  kind: RuleKind;
  thresholds?: unknown;
  actions?: unknown;
  severity?: Severity;
  enabled?: boolean;
  createdBy?: string;
}

type RuleRow = Selectable<Database['rules']>;

function toRule(row: RuleRow): StoredRule {
  const kind = row.kind as RuleKind;
  return {
    id: Number(row.id),
    name: row.name,
    scope: row.scope as RuleScope,
    targetId: row.target_id,
    kind,
    thresholds: JSON.parse(row.thresholds),
    actions: JSON.parse(row.actions) as RuleAction[],
    severity: row.severity as Severity,
    enabled: Number(row.enabled) === 1,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}

/** A rule's target is checked against the store's accounts and cards. */
export type RulesRepositoryContext = RepositoryContext & {
  readonly accounts: AccountsRepository;
  readonly cards: CardsRepository;
};

/** Rules: what to watch on which cards, and what to do when it happens. */
export class RulesRepository {
  readonly #store: RulesRepositoryContext;
  readonly #now: () => number;

  constructor(store: RulesRepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  #db() {
    return this.#store.db;
  }

  /**
   * Creates a rule after checking its kind, thresholds, actions and that its target exists
   * (`not_found` otherwise).
   */
  async create(input: RuleInput): Promise<StoredRule> {
    if (!isRuleKind(input.kind)) {
      throw new SimdockError('invalid_argument', `unknown rule kind "${input.kind}"`);
    }
    if (!isRuleScope(input.scope)) {
      throw new SimdockError('invalid_argument', `unknown rule scope "${input.scope}"`);
    }
    if (input.severity !== undefined && !SEVERITIES.includes(input.severity)) {
      throw new SimdockError('invalid_argument', `unknown severity "${input.severity}"`);
    }
    const thresholds = parseThresholds(input.kind, input.thresholds);
    const actions = parseActions(input.actions);
    const targetId = String(input.targetId).trim();
    await this.#checkTarget(input.scope, targetId);
    if (
      'resumeNextCycle' in thresholds &&
      thresholds.resumeNextCycle &&
      !actions.some((action) => action.type === 'pause')
    ) {
      throw new SimdockError('invalid_argument', 'resumeNextCycle needs a pause action');
    }
    const row = await this.#db()
      .insertInto('rules')
      .values({
        name: input.name ?? null,
        scope: input.scope,
        target_id: targetId,
        kind: input.kind,
        thresholds: JSON.stringify(thresholds),
        actions: JSON.stringify(actions),
        severity: input.severity ?? defaultSeverity(input.kind, actions),
        enabled: input.enabled === false ? 0 : 1,
        created_by: input.createdBy ?? 'cli',
        created_at: this.#now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRule(row);
  }

  async #checkTarget(scope: RuleScope, targetId: string): Promise<void> {
    const db = this.#db();
    const numeric = /^\d+$/.test(targetId) ? Number(targetId) : null;
    const found =
      scope === 'account'
        ? await this.#store.accounts.get(targetId)
        : numeric === null
          ? null
          : scope === 'card'
            ? await this.#store.cards.get(numeric)
            : await db
                .selectFrom(scope === 'plan' ? 'plans' : 'pools')
                .select('id')
                .where('id', '=', numeric)
                .executeTakeFirst();
    if (!found) throw new SimdockError('not_found', `no ${scope} "${targetId}" for the rule`);
  }

  async get(id: number): Promise<StoredRule | null> {
    const row = await this.#db()
      .selectFrom('rules')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRule(row) : null;
  }

  /** Rules by id, optionally only enabled ones or one kind. */
  async list(filter: { enabled?: boolean; kind?: RuleKind } = {}): Promise<StoredRule[]> {
    let query = this.#db().selectFrom('rules').selectAll();
    if (filter.enabled !== undefined) query = query.where('enabled', '=', filter.enabled ? 1 : 0);
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    return (await query.orderBy('id').execute()).map(toRule);
  }

  /** Deletes a rule (its alerts stay, for the record); unknown is `not_found`. */
  async delete(id: number): Promise<void> {
    const result = await this.#db().deleteFrom('rules').where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new SimdockError('not_found', `no rule ${id}`);
  }

  async setEnabled(id: number, enabled: boolean): Promise<void> {
    const result = await this.#db()
      .updateTable('rules')
      .set({ enabled: enabled ? 1 : 0 })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new SimdockError('not_found', `no rule ${id}`);
  }

  /** Writes the given columns of a rule (already checked by the caller). */
  async updateColumns(id: number, changes: RuleColumnChanges): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.#db().updateTable('rules').set(changes).where('id', '=', id).execute();
  }

  /** Whether the plan or pool with this id exists (a rule may name it). */
  async targetExists(scope: 'plan' | 'pool', id: number): Promise<boolean> {
    const found = await this.#db()
      .selectFrom(scope === 'plan' ? 'plans' : 'pools')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return found !== undefined;
  }

  /** The id of a rule watching this target (`plan` and the plan's id, …), or null. */
  async firstWatching(scope: RuleScope, targetId: string): Promise<number | null> {
    const rule = await this.#db()
      .selectFrom('rules')
      .select('id')
      .where('scope', '=', scope)
      .where('target_id', '=', targetId)
      .executeTakeFirst();
    return rule ? Number(rule.id) : null;
  }
}

/** Columns of a rule that an update may change, as stored (JSON as text, enabled 0/1). */
export type RuleColumnChanges = Pick<
  Updateable<Database['rules']>,
  'name' | 'scope' | 'target_id' | 'kind' | 'thresholds' | 'actions' | 'severity' | 'enabled'
>;
