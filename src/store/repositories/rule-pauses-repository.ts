import type { RepositoryContext } from '../store-context.js';

/** A pause a rule made that is due to be resumed. */
export interface DuePause {
  id: number;
  cardId: number;
  ruleId: number;
}

/** The pauses rules made, so a rule can resume its cards at the next cycle. */
export class RulePausesRepository {
  readonly #store: RepositoryContext;

  constructor(store: RepositoryContext) {
    this.#store = store;
  }

  /** Records a pause once per rule, card and cycle; `resumeOn` null means never resumed. */
  async record(pause: {
    ruleId: number;
    cardId: number;
    cycle: string;
    resumeOn: string | null;
    pausedAt: number;
  }): Promise<void> {
    await this.#store.db
      .insertInto('rule_pauses')
      .values({
        rule_id: pause.ruleId,
        card_id: pause.cardId,
        cycle: pause.cycle,
        resume_on: pause.resumeOn,
        paused_at: pause.pausedAt,
        resumed_at: null,
      })
      .onConflict((conflict) => conflict.columns(['rule_id', 'card_id', 'cycle']).doNothing())
      .execute();
  }

  /** Pauses of enabled rules not resumed yet whose resume date (CST) is `today` or earlier. */
  async due(today: string): Promise<DuePause[]> {
    const rows = await this.#store.db
      .selectFrom('rule_pauses')
      .innerJoin('rules', 'rules.id', 'rule_pauses.rule_id')
      .select(['rule_pauses.id', 'rule_pauses.card_id', 'rule_pauses.rule_id'])
      .where('rule_pauses.resumed_at', 'is', null)
      .where('rule_pauses.resume_on', 'is not', null)
      .where('rule_pauses.resume_on', '<=', today)
      .where('rules.enabled', '=', 1)
      .orderBy('rule_pauses.id')
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      cardId: Number(row.card_id),
      ruleId: Number(row.rule_id),
    }));
  }

  /** Marks a pause resumed. */
  async markResumed(id: number, at: number): Promise<void> {
    await this.#store.db
      .updateTable('rule_pauses')
      .set({ resumed_at: at })
      .where('id', '=', id)
      .execute();
  }
}
