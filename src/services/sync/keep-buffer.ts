import type { Clock } from '../../domain/index.js';

/** A batch the supplier answered, waiting to be stored with others. */
export interface FetchedBatch<A> {
  /** The batch's checkpoint key: a batch added again (a retry) replaces the one waiting. */
  key: string;
  /** How many answers it holds (what `maxAnswers` counts). */
  size: number;
  /** The answers and whatever storing them needs. */
  value: A;
}

/**
 * Answers of a slice's batches held until enough have come to store them in one transaction:
 * `maxAnswers` answers, or the first of them `maxWaitMs` old, or `flush()` at the end of the
 * slice's page. A card's several days then move its usage-cycle row (and the fleet figures'
 * indexes) once instead of once a batch, and a slice commits a few times instead of once a call.
 * What waits is lost if the process dies, but not marked done either: a resumed slice asks those
 * batches again. Flushes run one at a time, in the order they were asked for; a flush that fails
 * puts its batches back in front (the next one tries them again) and throws to whoever called
 * `flush()` itself.
 */
export class KeepBuffer<A> {
  readonly #store: (batches: FetchedBatch<A>[]) => Promise<void>;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #maxAnswers: number;
  readonly #maxWaitMs: number;
  #waiting: FetchedBatch<A>[] = [];
  #firstAt = 0;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: {
    clock: Pick<Clock, 'now'>;
    maxAnswers: number;
    maxWaitMs: number;
    store: (batches: FetchedBatch<A>[]) => Promise<void>;
  }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#maxAnswers = options.maxAnswers;
    this.#maxWaitMs = options.maxWaitMs;
  }

  /** The batches not stored yet. */
  get waiting(): readonly FetchedBatch<A>[] {
    return this.#waiting;
  }

  /**
   * Adds a batch; stores what waits when it is enough or old enough. A failed store does not
   * fail the batch added: what it held stays waiting for the next flush, and the owner's last
   * `flush()` reports the error.
   */
  async add(batch: FetchedBatch<A>): Promise<void> {
    if (this.#waiting.length === 0) this.#firstAt = this.#clock.now();
    this.#waiting = [...this.#waiting.filter((item) => item.key !== batch.key), batch];
    const answers = this.#waiting.reduce((sum, item) => sum + item.size, 0);
    if (answers >= this.#maxAnswers || this.#clock.now() - this.#firstAt >= this.#maxWaitMs) {
      await this.flush().catch(() => {});
    }
  }

  /** Stores every batch waiting (after any flush already under way). */
  flush(): Promise<void> {
    const run = this.#flushing.then(async () => {
      const taken = this.#waiting;
      if (taken.length === 0) return;
      this.#waiting = [];
      try {
        await this.#store(taken);
      } catch (error) {
        // Back in front; a retried batch added meanwhile stays the newer one.
        const added = new Set(this.#waiting.map((item) => item.key));
        this.#waiting = [...taken.filter((item) => !added.has(item.key)), ...this.#waiting];
        this.#firstAt = this.#clock.now();
        throw error;
      }
    });
    // The next flush waits for this one, whether it fails or not.
    this.#flushing = run.catch(() => {});
    return run;
  }
}
