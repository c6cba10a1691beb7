/**
 * The columns of the access and plan tables (migrations 0005 and 0006) that the card scope and
 * card statistics repositories read. Their full types live with the services that own them
 * (services/access/access-tables.ts, services/rules/rules-tables.ts) until every table type
 * lives in store/tables/; the store may not import services, hence this minimal copy.
 */
export type CardScopeTables = {
  card_tenants: {
    card_id: number;
    tenant_id: string;
    tenant_path: string;
  };
  card_tags: { card_id: number; tag: string };
  plans: {
    id: number;
    name: string;
    quota_bytes: number | null;
    cycle_start_day: number;
  };
  card_plans: {
    card_id: number;
    plan_id: number | null;
    /** CST `YYYY-MM-DD`. */
    expires_on: string | null;
  };
};
