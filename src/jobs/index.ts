export type * from '../services/job-queue.js';
export {
  type BackgroundWork,
  type BackgroundWorkOptions,
  startBackgroundWork,
} from './background-work.js';
export { createJobQueue } from './create-job-queue.js';
export { EmbeddedJobQueue } from './embedded-job-queue.js';
export { GraphileJobQueue, graphileSchemaFor } from './graphile-job-queue.js';
export {
  jobHandlers,
  type SyncJobPayload,
  type SyncJobResult,
  syncJobHandler,
} from './handlers.js';
export { JobCancelledError, retryDelayMs } from './job-execution.js';
export type { JobQueueOptions } from './job-queue-options.js';
export { JobsRepository } from './jobs-repository.js';
export { acquireLeadership, type Leadership, type LeadershipOptions } from './leader-lock.js';
export {
  createScheduler,
  defaultScheduleEntries,
  latestOccurrence,
  type ScheduleEntry,
  type Scheduler,
  type SchedulerOptions,
} from './scheduler.js';
