import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * API key limits and revocation shared by every API process and host on one database:
 *
 * - `api_key_limits`: one token bucket per API key (requests per minute, with a burst). API
 *   processes lease a few tokens at a time from it (api-key-limits-repository.ts), so a key's
 *   limit holds across `serve --processes N` and hosts without a database write per request.
 * - `access_generations`: counters bumped by a change every process must see soon, read by each
 *   process about once a second: `api-key-revocations` counts revocations, so a key revoked by
 *   one process is refused by all within that second.
 */
export const apiKeyLimitsSchema: StoreMigration = {
  name: '0019-api-key-limits',
  async up(db) {
    await db.schema
      .createTable('api_key_limits')
      .addColumn('key_id', BIGINT, (column) => column.primaryKey())
      .addColumn('tokens', 'double precision', (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('access_generations')
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('generation', BIGINT, (column) => column.notNull())
      .execute();
  },
};
