import { initialSchema } from './0001-initial-schema.js';
import { eventsSchema } from './0002-events.js';
import { jobsSchema } from './0003-jobs.js';
import { bulkJobsSchema } from './0004-bulk-jobs.js';
import { rulesAlertsPoolsSchema } from './0005-rules-alerts-pools.js';
import { accessSchema } from './0006-access.js';
import { inboundSchema } from './0007-inbound.js';
import { webhooksAgentAppsSchema } from './0008-webhooks-agent-apps.js';
import { syncSlicesSchema } from './0009-sync-slices.js';
import { cardSortIndexesSchema } from './0010-card-sort-indexes.js';
import { throttlesSchema } from './0011-throttles.js';
import { syncBudgetSchema } from './0013-sync-budget.js';
import { notificationsSchema } from './0014-notifications.js';
import { fleetStatsSchema } from './0015-fleet-stats.js';
import { cardLifecycleChangesSchema } from './0017-card-lifecycle-changes.js';
import { changeFeedsSchema } from './0018-change-feeds.js';
import { apiKeyLimitsSchema } from './0019-api-key-limits.js';
import { cardExportsSchema } from './0020-card-exports.js';
import { planExpiryIndexSchema } from './0021-plan-expiry-index.js';
import { fleetStatsStatementsSchema } from './0022-fleet-stats-statements.js';
import { cardFreshnessIndexesSchema } from './0023-card-freshness-indexes.js';
import { statusStatsUpkeepSchema } from './0024-status-stats-upkeep.js';
import { exportLeasesRetryGuardSchema } from './0025-export-leases-retry-guard.js';
import { fleetListingsSchema } from './0026-fleet-listings.js';
import { assignmentStatementTriggersSchema } from './0027-assignment-statement-triggers.js';
import { cardIdentityHistorySchema } from './0028-card-identity-history.js';
import { planCycleUsageSchema } from './0029-plan-cycle-usage.js';
import { statsTriggerLookupsSchema } from './0030-stats-trigger-lookups.js';
import { usageOrderSchema } from './0031-usage-order.js';
import { syncPlanLookupsSchema } from './0032-sync-plan-lookups.js';
import type { StoreMigration } from './migration-helpers.js';

export type { StoreMigration } from './migration-helpers.js';
export { BIGINT, idColumn } from './migration-helpers.js';

/**
 * Every schema change, oldest first. To change the schema, add a file `NNNN-what.ts` exporting
 * a `StoreMigration` and append it here; never edit or reorder one that has shipped.
 */
export const STORE_MIGRATIONS: readonly StoreMigration[] = [
  initialSchema,
  eventsSchema,
  jobsSchema,
  bulkJobsSchema,
  rulesAlertsPoolsSchema,
  accessSchema,
  inboundSchema,
  webhooksAgentAppsSchema,
  syncSlicesSchema,
  cardSortIndexesSchema,
  throttlesSchema,
  syncBudgetSchema,
  notificationsSchema,
  fleetStatsSchema,
  cardLifecycleChangesSchema,
  changeFeedsSchema,
  apiKeyLimitsSchema,
  cardExportsSchema,
  planExpiryIndexSchema,
  fleetStatsStatementsSchema,
  cardFreshnessIndexesSchema,
  statusStatsUpkeepSchema,
  exportLeasesRetryGuardSchema,
  fleetListingsSchema,
  assignmentStatementTriggersSchema,
  cardIdentityHistorySchema,
  planCycleUsageSchema,
  statsTriggerLookupsSchema,
  usageOrderSchema,
  syncPlanLookupsSchema,
];
