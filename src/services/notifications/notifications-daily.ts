import { addDays, cstMonth, cstToday } from '../../domain/index.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import type { ServiceContext } from '../context.js';
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
  const at = { cycle: cstMonth(now), today };
  const planName = new Map((await stats.quotaPlans()).map((plan) => [plan.id, plan.name]));
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
    // Each card in its plan's current cycle, from the kept figures (migrations 0015, 0029).
    const over = await context.store.fleetStats.quotaUse(scope, { at, minPermille: 1000, limit });
    const figures = await context.store.fleetStats.figures(scope, at);
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
          plan: planName.get(row.planId) ?? '',
          percent: Math.round((row.bytes / row.quotaBytes) * 10_000) / 100,
        })),
      ),
      overQuotaTotal: figures.quota.atOrOver100,
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
