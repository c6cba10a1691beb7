import type { Generated } from 'kysely';

/** A webhook endpoint of a tenant (migration 0008). */
export interface WebhookEndpointsTable {
  id: Generated<number>;
  tenant_id: string;
  url: string;
  description: string | null;
  /** Sealed with the store's key. */
  secret: string;
  /** JSON array; empty means every type. */
  event_types: string;
  enabled: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

/** One delivery per endpoint and event (migration 0008). */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  endpoint_id: number;
  tenant_id: string;
  event_row_id: number;
  event_id: string;
  event_type: string;
  state: string;
  attempts: number;
  next_attempt_at: number | null;
  retry_until: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** Every attempt of a delivery (migration 0008). */
export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  at: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_excerpt: string | null;
  manual: number;
}

/** The outbox position already fanned out (migration 0008). */
export interface WebhookCursorTable {
  name: string;
  last_event_row_id: number;
  updated_at: number;
}

export type PartialDB = {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_cursor: WebhookCursorTable;
};
