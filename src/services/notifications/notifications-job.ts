import type { ServiceContext } from '../context.js';
import type { JobHandler } from '../job-queue.js';
import { type DailyDigestOptions, queueDailyDigests } from './notifications-daily.js';
import {
  type DeliverNotificationsOptions,
  deliverNotifications,
} from './notifications-delivery.js';

/** The job name of the notification pass (scheduled every 5 seconds). */
export const NOTIFICATIONS_JOB_NAME = 'notifications';
/** The job name of the daily digest (scheduled daily, 09:00 CST). */
export const NOTIFICATIONS_DAILY_JOB_NAME = 'notifications-daily';

/** The job handler of the notification pass; returns the pass's summary. */
export function notificationsJobHandler(
  context: ServiceContext,
  options: DeliverNotificationsOptions = {},
): JobHandler {
  return async (_payload, job) => {
    const summary = await deliverNotifications(context, options);
    await job.progress({ done: summary.attempted, total: summary.attempted });
    return summary;
  };
}

/** The job handler of the daily digest: queues today's digests, then runs a pass. */
export function notificationsDailyJobHandler(
  context: ServiceContext,
  options: DailyDigestOptions & DeliverNotificationsOptions = {},
): JobHandler {
  return async () => {
    const queued = await queueDailyDigests(context, options);
    const summary = await deliverNotifications(context, options);
    return { ...summary, dailyDigests: queued };
  };
}
