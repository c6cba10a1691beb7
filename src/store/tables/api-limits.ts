/** A token bucket per API key, shared by every API process (migration 0019). */
export interface ApiKeyLimitsTable {
  key_id: number;
  tokens: number;
  updated_at: number;
}

/** Counters every process reads to notice a change made elsewhere (migration 0019). */
export interface AccessGenerationsTable {
  name: string;
  generation: number;
}

export type PartialDB = {
  api_key_limits: ApiKeyLimitsTable;
  access_generations: AccessGenerationsTable;
};
