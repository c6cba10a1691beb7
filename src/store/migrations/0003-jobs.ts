import { sql } from 'kysely';
import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/**
 * The job queue's record of every job (both dialects; graphile-worker on PostgreSQL points at
 * these rows) and the scheduler's last enqueued period per schedule entry.
 */
export const jobsSchema: StoreMigration = {
  name: '0003-jobs',
  async up(db, dialect) {
    await db.schema
      .createTable('jobs')
      .$call(idColumn(dialect))
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('payload', 'text', (column) => column.notNull())
      .addColumn('queue', 'text')
      .addColumn('key', 'text')
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (column) => column.notNull())
      .addColumn('run_at', BIGINT, (column) => column.notNull())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('started_at', BIGINT)
      .addColumn('finished_at', BIGINT)
      .addColumn('progress', 'text')
      .addColumn('result', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_by', 'text')
      .addColumn('locked_by', 'text')
      .addColumn('locked_until', BIGINT)
      .addColumn('cancel_requested', 'integer', (column) => column.notNull().defaultTo(0))
      .execute();
    // One live job per dedupe key: a second enqueue of the key finds the first.
    await db.schema
      .createIndex('jobs_live_key')
      .on('jobs')
      .column('key')
      .unique()
      .where(sql.ref('state'), 'in', sql`('pending', 'running')`)
      .execute();
    await db.schema
      .createIndex('jobs_state_run_at')
      .on('jobs')
      .columns(['state', 'run_at'])
      .execute();
    await db.schema
      .createIndex('jobs_queue_state')
      .on('jobs')
      .columns(['queue', 'state'])
      .execute();
    await db.schema.createIndex('jobs_name_id').on('jobs').columns(['name', 'id']).execute();
    await db.schema
      .createTable('job_schedules')
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('period', 'text', (column) => column.notNull())
      .addColumn('enqueued_at', BIGINT, (column) => column.notNull())
      .addColumn('job_id', BIGINT)
      .execute();
  },
};
