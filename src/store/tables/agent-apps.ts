import type { Generated } from 'kysely';

/** An app of simdock's own agent open API (migration 0008). */
export interface AgentAppsTable {
  app_id: string;
  tenant_id: string;
  name: string | null;
  /** Sealed with the store's key. */
  secret: string;
  enabled: number;
  created_at: number;
}

/** A traceID an app already used, kept until it expires (migration 0008). */
export interface AgentTraceIdsTable {
  app_id: string;
  trace_id: string;
  expires_at: number;
}

/** An asynchronous stop / restore of the agent open API (migration 0008). */
export interface AgentOperationRecordsTable {
  id: Generated<number>;
  app_id: string;
  tenant_id: string;
  batch_no: string;
  card_id: number;
  iccid: string | null;
  sim_no: string | null;
  operate_type: string;
  status: number;
  remark: string;
  created_at: number;
  finished_at: number | null;
}

export type PartialDB = {
  agent_apps: AgentAppsTable;
  agent_trace_ids: AgentTraceIdsTable;
  agent_operation_records: AgentOperationRecordsTable;
};
