const HOUR = 3_600_000;

/** Default freshness targets per need (ms): how old a card's last read may be. */
export const DEFAULT_TARGETS_MS = { status: HOUR, 'usage.monthly': 6 * HOUR } as const;
