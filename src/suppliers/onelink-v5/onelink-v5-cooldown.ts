import type { Clock } from '../../domain/index.js';

/**
 * The per-card lock after a status change: OneLink v5 refuses a second change of the same card
 * for some minutes (PROTOCOL-NOTES.md, OneLink v5, `change/sim-status`: "the same card is locked
 * for minutes afterwards"), and a batch holding one locked card is refused as a whole. simdock
 * remembers when each card was last changed and makes a card wait its turn instead of failing.
 */
export class OnelinkV5Cooldown {
  readonly cooldownMs: number;
  #clock: Clock;
  #changedAt = new Map<string, number>();

  constructor(options: { clock: Clock; cooldownMinutes: number }) {
    this.#clock = options.clock;
    this.cooldownMs = Math.max(0, options.cooldownMinutes) * 60_000;
  }

  /** The instant the card may be changed again (now or earlier when it is free). */
  readyAt(cardId: string): number {
    const changedAt = this.#changedAt.get(cardId);
    return changedAt === undefined ? 0 : changedAt + this.cooldownMs;
  }

  /** Records a change submitted now for these cards. */
  mark(cardIds: readonly string[]): void {
    const now = this.#clock.now();
    for (const cardId of cardIds) this.#changedAt.set(cardId, now);
    this.#forgetExpired(now);
  }

  /** Waits (on the clock) until every card is free. */
  async waitFor(cardIds: readonly string[], abortSignal?: AbortSignal): Promise<void> {
    for (;;) {
      const readyAt = Math.max(0, ...cardIds.map((cardId) => this.readyAt(cardId)));
      const waitMs = readyAt - this.#clock.now();
      if (waitMs <= 0) return;
      await this.#clock.sleep(waitMs, abortSignal);
    }
  }

  #forgetExpired(now: number): void {
    if (this.#changedAt.size < 10_000) return;
    for (const [cardId, changedAt] of this.#changedAt) {
      if (changedAt + this.cooldownMs <= now) this.#changedAt.delete(cardId);
    }
  }
}
