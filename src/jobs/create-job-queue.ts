import type { JobQueue } from '../services/job-queue.js';
import type { Store } from '../store/index.js';
import { EmbeddedJobQueue } from './embedded-job-queue.js';
import { GraphileJobQueue } from './graphile-job-queue.js';
import type { JobQueueOptions } from './job-queue-options.js';

/**
 * The job queue for a store: the embedded queue on SQLite, graphile-worker on PostgreSQL (which
 * needs `databaseUrl`, the URL the store was opened with). Close it before the store.
 */
export async function createJobQueue(
  store: Store,
  options: JobQueueOptions = {},
): Promise<JobQueue> {
  return store.dialect === 'postgres'
    ? GraphileJobQueue.open(store, options)
    : new EmbeddedJobQueue(store, options);
}
