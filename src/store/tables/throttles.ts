/** Refused attempts counted per scope and key (migration 0011). */
export interface ThrottlesTable {
  scope: string;
  key: string;
  failures: number;
  window_started_at: number;
  blocked_until: number;
  updated_at: number;
}

export type PartialDB = {
  throttles: ThrottlesTable;
};
