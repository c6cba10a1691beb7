import { SimdockError } from '../../domain/index.js';
import type { LifecycleAction, SupplierAdapterV1 } from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';

/**
 * The one rule for suppliers that lock a card for a while after a lifecycle change
 * (`SupplierLimits.lifecycleCooldownMs`, e.g. OneLink v5's lock after `change/sim-status`): a
 * lifecycle action inside a card's cooldown is never sent to the supplier. Bulk jobs wait for
 * it to end (their items and progress say so); rules and other callers that cannot wait are
 * refused with `cooldown` before any call. The cooldown runs from the last lifecycle change
 * simdock made to the card (`store.cardLifecycle`), so it holds across jobs and processes.
 */
export class LifecycleCooldown {
  readonly #context: ServiceContext;
  readonly #adapter: SupplierAdapterV1;

  constructor(context: ServiceContext, adapter: SupplierAdapterV1) {
    this.#context = context;
    this.#adapter = adapter;
  }

  /** The supplier's cooldown in ms (0: none). */
  get cooldownMs(): number {
    return Math.max(0, this.#adapter.limits.lifecycleCooldownMs ?? 0);
  }

  /** Cards still cooling down, with the epoch ms each may be changed again. */
  async coolingUntil(cardIds: readonly number[]): Promise<Map<number, number>> {
    const cooling = new Map<number, number>();
    const cooldownMs = this.cooldownMs;
    if (cooldownMs === 0 || cardIds.length === 0) return cooling;
    const now = this.#context.clock.now();
    const changed = await this.#context.store.cardLifecycle.changedAt(cardIds);
    for (const [cardId, at] of changed) {
      if (at + cooldownMs > now) cooling.set(cardId, at + cooldownMs);
    }
    return cooling;
  }

  /** The `cooldown` refusal for a card that may be changed again at `readyAt`. */
  refusal(cardId: number, readyAt: number): SimdockError {
    const waitS = Math.max(1, Math.ceil((readyAt - this.#context.clock.now()) / 1000));
    return new SimdockError(
      'cooldown',
      `${this.#adapter.supplier} locks a card for ${Math.round(this.cooldownMs / 1000)} s after a status change; card ${cardId} may change again in ${waitS} s (${new Date(readyAt).toISOString()})`,
      { details: { cardId, readyAt, retryAfterSeconds: waitS } },
    );
  }

  /** Records lifecycle changes the supplier accepted now, starting each card's cooldown. */
  async record(cardIds: readonly number[], action: LifecycleAction): Promise<void> {
    if (cardIds.length === 0) return;
    await this.#context.store.cardLifecycle.record(
      cardIds.map((cardId) => ({ cardId, account: this.#adapter.accountId, action })),
      this.#context.clock.now(),
    );
  }
}
