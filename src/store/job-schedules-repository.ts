import type { StoreContext } from './store-context.js';

/** The scheduler's record of the last period each schedule entry was enqueued for. */
export class JobSchedulesRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  #db() {
    return this.#context.db;
  }

  /**
   * Records `period` for `key` unless already recorded; true when this call recorded it (so
   * that of several processes ticking at once, one enqueues).
   */
  async claimPeriod(key: string, period: string, now: number): Promise<boolean> {
    const updated = await this.#db()
      .updateTable('job_schedules')
      .set({ period, enqueued_at: now, job_id: null })
      .where('name', '=', key)
      .where('period', '<>', period)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) return true;
    const inserted = await this.#db()
      .insertInto('job_schedules')
      .values({ name: key, period, enqueued_at: now, job_id: null })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Forgets `period` for `key` (it was not enqueued), so that the next tick tries again. */
  async releasePeriod(key: string, period: string): Promise<void> {
    await this.#db()
      .updateTable('job_schedules')
      .set({ period: '' })
      .where('name', '=', key)
      .where('period', '=', period)
      .execute();
  }

  /** Records the job enqueued for `key`'s current period. */
  async setJob(key: string, jobId: number | null): Promise<void> {
    await this.#db()
      .updateTable('job_schedules')
      .set({ job_id: jobId })
      .where('name', '=', key)
      .execute();
  }
}
