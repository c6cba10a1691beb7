import type { CardStatus } from './status.js';

/** The identities a supplier knows a card by. Unknown is null. */
export interface CardIdentities {
  iccid: string | null;
  msisdn: string | null;
  imsi: string | null;
  imei: string | null;
}

/** A card as simdock shows it (the JSON contract of `cards list --json` and the API). */
export interface Card extends CardIdentities {
  /** The supplier account id the card belongs to. */
  account: string;
  /** The supplier type of that account (`onelink-v2`, `quectel`, …). */
  supplier: string;
  status: CardStatus;
  statusRaw: string | null;
}

/** One day's usage of one card. */
export interface DailyUsage {
  /** CST calendar date `YYYY-MM-DD`. */
  date: string;
  bytes: number;
}
