import {
  type BillingCycle,
  billingCycleAt,
  billingCycleOfMonth,
  isBillingCycleStartDay,
} from '../../domain/index.js';
import type { StoredCard } from '../../store/index.js';
import type { UsageCycles } from '../../store/repositories/scoped-cards-repository.js';
import type { ServiceContext } from '../context.js';

/** Where an account's billing cycle start day comes from. */
export type CycleSource = 'account' | 'supplier' | 'default';

/** An account's billing cycle: the day it starts and whether the supplier's figures follow it. */
export interface AccountCycleDay {
  /** The day the account's cycles start (1 = calendar month). */
  startDay: number;
  /** The day the supplier's own monthly figures follow (its `limits.billingCycleStartDay`). */
  supplierStartDay: number;
  source: CycleSource;
}

/**
 * An account's billing cycle start day: the account's `billingCycleStartDay` setting when given,
 * else the supplier's (`limits.billingCycleStartDay`, China Unicom 27), else 1 (calendar month).
 * A disabled or unbuildable account counts as its override or the calendar month.
 */
export async function accountCycleDay(
  context: ServiceContext,
  accountId: string,
): Promise<AccountCycleDay> {
  const account = await context.store.accounts.get(accountId);
  const override = account?.settings.billingCycleStartDay;
  let supplierStartDay = 1;
  if (account?.enabled) {
    try {
      const day = (await context.adapter(accountId)).limits.billingCycleStartDay;
      if (isBillingCycleStartDay(day)) supplierStartDay = day;
    } catch {
      // An account whose adapter cannot be built keeps the calendar month.
    }
  }
  if (isBillingCycleStartDay(override)) {
    return { startDay: override, supplierStartDay, source: 'account' };
  }
  return {
    startDay: supplierStartDay,
    supplierStartDay,
    source: supplierStartDay === 1 ? 'default' : 'supplier',
  };
}

/** A card's current cycle and, where the supplier's month figure covers exactly it, its label. */
export interface CardCycle extends BillingCycle {
  source: CycleSource;
  /**
   * The `usage_monthly` month whose figure is this cycle's (the supplier reports per its own
   * cycle, labelled by billing month); null when the account overrides the supplier's cycle, so
   * only daily rows count.
   */
  supplierMonth: string | null;
}

function cardCycleFrom(day: AccountCycleDay, cycle: BillingCycle): CardCycle {
  return {
    ...cycle,
    source: day.source,
    supplierMonth: day.startDay === day.supplierStartDay ? cycle.month : null,
  };
}

/** Billing cycles of many accounts, each resolved once (one context, one instant). */
export class CycleResolver {
  readonly #context: ServiceContext;
  readonly #days = new Map<string, Promise<AccountCycleDay>>();
  readonly now: number;

  constructor(context: ServiceContext, now = context.clock.now()) {
    this.#context = context;
    this.now = now;
  }

  day(accountId: string): Promise<AccountCycleDay> {
    let day = this.#days.get(accountId);
    if (!day) {
      day = accountCycleDay(this.#context, accountId);
      this.#days.set(accountId, day);
    }
    return day;
  }

  /** The account's cycle containing `instant` (default: now). */
  async cycle(accountId: string, instant = this.now): Promise<CardCycle> {
    const day = await this.day(accountId);
    return cardCycleFrom(day, billingCycleAt(instant, day.startDay));
  }

  /** The account's cycle known as billing month `month`. */
  async cycleOfMonth(accountId: string, month: string): Promise<CardCycle> {
    const day = await this.day(accountId);
    return cardCycleFrom(day, billingCycleOfMonth(month, day.startDay));
  }

  /** Every account whose cycle is not the calendar month, with its current cycle. */
  async nonCalendar(accountIds: readonly string[]): Promise<Map<string, CardCycle>> {
    const result = new Map<string, CardCycle>();
    for (const accountId of accountIds) {
      const cycle = await this.cycle(accountId);
      if (!cycle.calendarMonth || cycle.supplierMonth === null) result.set(accountId, cycle);
    }
    return result;
  }
}

/** A card's billing cycle containing `instant` (default: now). */
export async function cardCycle(
  context: ServiceContext,
  card: Pick<StoredCard, 'account'>,
  instant = context.clock.now(),
): Promise<CardCycle> {
  return new CycleResolver(context, instant).cycle(card.account);
}

/** A cycle as the API and CLI show it. */
export interface CycleView {
  start: string;
  end: string;
  month: string;
  startDay: number;
  calendarMonth: boolean;
  source: CycleSource;
}

export function cycleView(cycle: CardCycle): CycleView {
  return {
    start: cycle.start,
    end: cycle.end,
    month: cycle.month,
    startDay: cycle.startDay,
    calendarMonth: cycle.calendarMonth,
    source: cycle.source,
  };
}

/**
 * Bytes a card used in its current cycle: the supplier's figure for the cycle when it reports
 * one, else the sum of the cycle's daily rows; null when neither is known.
 */
export async function cardCycleUsage(
  context: ServiceContext,
  card: StoredCard,
  instant = context.clock.now(),
): Promise<{ cycle: CardCycle; bytes: number | null; source: 'monthly' | 'daily' | null }> {
  const cycle = await cardCycle(context, card, instant);
  if (cycle.supplierMonth !== null) {
    const monthly = await context.store.usage.monthly(card.id, {
      from: cycle.supplierMonth,
      to: cycle.supplierMonth,
    });
    if (monthly[0]) return { cycle, bytes: monthly[0].bytes, source: 'monthly' };
  }
  const daily = await context.store.usage.daily(card.id, { from: cycle.start, to: cycle.end });
  if (daily.length === 0) return { cycle, bytes: null, source: null };
  return { cycle, bytes: daily.reduce((sum, row) => sum + row.bytes, 0), source: 'daily' };
}

/** The store's form of accounts billing on another cycle (card lists, `usage` filters). */
export function usageCycles(cycles: ReadonlyMap<string, CardCycle>): UsageCycles {
  return new Map(
    [...cycles].map(([account, cycle]) => [
      account,
      { month: cycle.supplierMonth, from: cycle.start, to: cycle.end },
    ]),
  );
}

/** Every account's current cycle where it is not the calendar month, in the store's form. */
export async function offCalendarUsageCycles(
  context: ServiceContext,
  now = context.clock.now(),
): Promise<UsageCycles> {
  const accounts = (await context.store.accounts.list()).map((account) => account.id);
  return usageCycles(await new CycleResolver(context, now).nonCalendar(accounts));
}
