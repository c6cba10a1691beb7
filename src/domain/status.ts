/**
 * The normalized card status. Each supplier maps its own codes onto these; the raw value is
 * kept beside it for display and audit.
 */
export const CARD_STATUSES = [
  /** Test period (测试期): usable before billing starts. */
  'test',
  /** In stock or waiting for activation (库存, 沉默期, 待激活). */
  'inventory',
  /** In service (正常, 已激活). */
  'active',
  /** Service stopped, by the customer or the supplier (停机, 单向停机). */
  'suspended',
  /** About to be cancelled (预销号). */
  'pre_deactivated',
  /** Cancelled (销号). */
  'deactivated',
  /** The supplier gave no status, or one simdock does not know. */
  'unknown',
] as const;

export type CardStatus = (typeof CARD_STATUSES)[number];

export function isCardStatus(value: string): value is CardStatus {
  return (CARD_STATUSES as readonly string[]).includes(value);
}

/** Whether the device holding a card is powered and attached, where the supplier says. */
export interface CardConnectivity {
  powered: boolean | null;
  online: boolean | null;
  ip?: string | null;
  /** Radio access technology, verbatim (e.g. `4G`). */
  rat?: string | null;
  /** The supplier's own fields, verbatim. */
  raw?: Record<string, string | null>;
}

/** A status as simdock understands it, with the supplier's own value. */
export interface CardStatusValue {
  status: CardStatus;
  /** The supplier's value, verbatim (e.g. OneLink v5 `02`). Null when the supplier gave none. */
  raw: string | null;
  /** Device and data-session state, when the status call also reports it. */
  connectivity?: CardConnectivity;
}

/** Builds a mapper from a supplier's raw codes; unknown codes map to `unknown`, keeping the raw. */
export function statusMapper(table: Record<string, CardStatus>) {
  return (raw: string | number | null | undefined): CardStatusValue => {
    if (raw === null || raw === undefined || raw === '') return { status: 'unknown', raw: null };
    const text = String(raw).trim();
    return { status: table[text] ?? 'unknown', raw: text };
  };
}
