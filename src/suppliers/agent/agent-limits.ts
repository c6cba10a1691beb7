import type { Clock } from '../../domain/index.js';

/**
 * Per-card budgets the agent platform imposes, kept on the caller's side so that a call the
 * platform would refuse is never sent: at most N latest-status reads per card per minute, and a
 * cooldown after a speed-limit change of a card.
 */

/** A sliding window of calls per card: at most `limit` in any `windowMs`. */
export class PerCardRateWindow {
  readonly limit: number;
  readonly windowMs: number;
  #clock: Clock;
  #calls = new Map<string, number[]>();

  constructor(options: { limit: number; windowMs: number; clock: Clock }) {
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.#clock = options.clock;
  }

  /** Milliseconds until the card may be called again; 0 when it may be called now. */
  waitMs(card: string): number {
    const recent = this.#recent(card);
    if (recent.length < this.limit) return 0;
    return Math.max(0, recent[recent.length - this.limit]! + this.windowMs - this.#clock.now());
  }

  /** Records one call for each card. */
  record(cards: readonly string[]): void {
    const now = this.#clock.now();
    for (const card of cards) {
      const recent = this.#recent(card);
      recent.push(now);
      this.#calls.set(card, recent);
    }
  }

  #recent(card: string): number[] {
    const since = this.#clock.now() - this.windowMs;
    const recent = (this.#calls.get(card) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.#calls.delete(card);
    else this.#calls.set(card, recent);
    return recent;
  }
}

/** The time of each card's last change; a new change waits `cooldownMs` after it. */
export class CardCooldown {
  readonly cooldownMs: number;
  #clock: Clock;
  #changedAt = new Map<string, number>();

  constructor(options: { cooldownMs: number; clock: Clock }) {
    this.cooldownMs = options.cooldownMs;
    this.#clock = options.clock;
  }

  /** Milliseconds left in the card's cooldown; 0 when it may change now. */
  remainingMs(card: string): number {
    const at = this.#changedAt.get(card);
    if (at === undefined) return 0;
    const remaining = at + this.cooldownMs - this.#clock.now();
    if (remaining <= 0) {
      this.#changedAt.delete(card);
      return 0;
    }
    return remaining;
  }

  record(card: string): void {
    this.#changedAt.set(card, this.#clock.now());
  }
}
