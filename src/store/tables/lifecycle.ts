/** When simdock last changed each card's status through a lifecycle action (migration 0017). */
export interface CardLifecycleChangesTable {
  card_id: number;
  account_id: string;
  /** The lifecycle action sent (`pause`, `resume`, …). */
  action: string;
  /** Epoch ms the supplier accepted it. */
  changed_at: number;
}

export type PartialDB = {
  card_lifecycle_changes: CardLifecycleChangesTable;
};
