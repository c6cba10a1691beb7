import { addDays, cstMonth, cstToday } from '../../domain/index.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import type { ServiceContext } from '../context.js';
import { billingCycleOf } from '../plans/plans-cycle.js';
import { type NotificationSettings, repository } from './notifications-channels.js';
import type { DailyItemData } from './notifications-messages.js';

export interface DailyDigestOptions extends NotificationSettings {
  /** Cards whose service ends from today to this many days ahead are "expiring soon" (7). */
  expiryDays?: number;
  /** Cards listed per section (the totals count every card) (20). */
  limit?: number;
}

/**
 * Queues today's digest (CST) for every enabled channel that asked for one: the cards of the
 * channel's tenant whose plan ends within `expiryDays`, and the cards at or over their plan's
 * quota this cycle. Once per channel and day, however often it runs; the delivery pass sends it.
 * Returns how many digests were queued.
 */
export async function queueDailyDigests(
  context: ServiceContext,
  options: DailyDigestOptions = {},
): Promise<number> {
  const repo = repository(context, options);
  const now = context.clock.now();
  const today = cstToday(now);
  const expiryDays = options.expiryDays ?? 7;
  const limit = options.limit ?? 20;
  const tenants = new TenantsRepository(context.store);
  const stats = context.store.cardStats;
  const startDays = await stats.quotaCycleStartDays();
  let queued = 0;
  for (const channel of await repo.listChannels(null)) {
    if (!channel.enabled || !channel.dailyDigest) continue;
    const tenant = await tenants.get(channel.tenantId);
    if (!tenant) continue;
    const scope = {
      tenantPath: tenant.path,
      isRoot: tenant.path.split('/').filter(Boolean).length === 1,
    };
    const expiring = await stats.expiringPlans(scope, {
      from: today,
      to: addDays(today, expiryDays),
      limit,
    });
    const usage =
      startDays.length === 0
        ? []
        : await stats.planUsage(scope, {
            cycleStarts: startDays.map((day) => ({ day, start: billingCycleOf(today, day).start })),
            month: cstMonth(now),
            today,
            nearPercent: 100,
            limit,
          });
    const over = usage.filter((row) => row.used !== null && row.used >= row.quota);
    const iccid = async (cardId: number) => (await context.store.cards.get(cardId))?.iccid ?? null;
    const data: DailyItemData = {
      date: today,
      expiryDays,
      expiring: await Promise.all(
        expiring.cards.map(async (card) => ({ ...card, iccid: await iccid(card.cardId) })),
      ),
      expiringTotal: expiring.total,
      overQuota: await Promise.all(
        over.map(async (row) => ({
          cardId: row.cardId,
          iccid: await iccid(row.cardId),
          plan: row.plan,
          percent: Math.round((Number(row.used) / row.quota) * 10_000) / 100,
        })),
      ),
      overQuotaTotal: usage[0]?.nearTotal ?? 0,
    };
    const added = await repo.queueItem({
      channelId: channel.id,
      kind: 'daily',
      dedupeKey: `daily:${today}`,
      alertId: null,
      data: data as unknown as Record<string, unknown>,
      now,
    });
    if (added) queued += 1;
  }
  return queued;
}
