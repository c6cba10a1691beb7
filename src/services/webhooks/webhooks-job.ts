import type { ServiceContext } from '../context.js';
import type { JobHandler } from '../job-queue.js';
import { type DeliverWebhooksOptions, deliverWebhooks } from './webhooks-delivery.js';

/** The job name of the delivery pass (the scheduler enqueues it every few seconds). */
export const WEBHOOKS_JOB_NAME = 'webhooks';

/**
 * The job handler of the delivery pass: `jobHandlers` in src/jobs/handlers.ts registers it
 * under `WEBHOOKS_JOB_NAME`. It returns the pass's summary as the job's result.
 */
export function webhooksJobHandler(
  context: ServiceContext,
  options: DeliverWebhooksOptions = {},
): JobHandler {
  return async (_payload, job) => {
    const summary = await deliverWebhooks(context, options);
    await job.progress({ done: summary.attempted, total: summary.attempted });
    return summary;
  };
}
