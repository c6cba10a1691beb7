const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The needs whose freshness simdock measures and lets accounts set a target for. */
export const FRESHNESS_NEEDS = ['status', 'usage.monthly'] as const;
export type FreshnessNeed = (typeof FRESHNESS_NEEDS)[number];

/** Default freshness targets per need (ms): how old a card's last read may be. */
export const DEFAULT_TARGETS_MS = { status: HOUR, 'usage.monthly': 6 * HOUR } as const;

/** Freshness targets in ms per need. */
export type FreshnessTargetsMs = Record<FreshnessNeed, number>;

/** How a target is written: a whole number of minutes, hours or days (`30m`, `1h`, `6h`, `1d`). */
export const TARGET_DURATION_PATTERN = /^([1-9]\d{0,5})(m|h|d)$/;
const UNIT_MS = { m: MINUTE, h: HOUR, d: DAY } as const;
const SHORTEST = MINUTE;
const LONGEST = 31 * DAY;

export const TARGET_DURATION_PROBLEM =
  'must be a duration like 30m, 1h, 6h or 1d (minutes, hours or days; 1m to 31d)';
export const TARGET_NEED_PROBLEM = `unknown need (expected ${FRESHNESS_NEEDS.join(', ')})`;

/** `1h` → 3,600,000; null when the text is not a target duration (or out of 1m–31d). */
export function parseTargetDuration(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = TARGET_DURATION_PATTERN.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms >= SHORTEST && ms <= LONGEST ? ms : null;
}

/** 3,600,000 → `1h`; 5,400,000 → `90m`: the shortest exact way to write a target. */
export function formatTargetDuration(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE}m`;
  return `${Math.ceil(ms / MINUTE)}m`;
}

/**
 * The problems of a `freshness:` mapping as written (`{status: 1h, usage.monthly: 6h}`): the key
 * under it and what is wrong. Empty when it is valid.
 */
export function freshnessProblems(value: unknown): { key: string | null; problem: string }[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [
      {
        key: null,
        problem: `must be a mapping of need to duration, e.g. {status: 1h, usage.monthly: 6h}`,
      },
    ];
  }
  const problems: { key: string | null; problem: string }[] = [];
  for (const [need, duration] of Object.entries(value)) {
    if (!(FRESHNESS_NEEDS as readonly string[]).includes(need)) {
      problems.push({ key: need, problem: TARGET_NEED_PROBLEM });
    } else if (parseTargetDuration(duration) === null) {
      problems.push({
        key: need,
        problem: `${TARGET_DURATION_PROBLEM}, not ${JSON.stringify(duration)}`,
      });
    }
  }
  return problems;
}

/**
 * The targets in ms of a stored `freshness:` mapping over the defaults. A need missing or not
 * readable keeps the default (what was stored was validated when it was written).
 */
export function freshnessTargetsMs(value: unknown): {
  targets: FreshnessTargetsMs;
  configured: Partial<Record<FreshnessNeed, string>>;
} {
  const targets: FreshnessTargetsMs = { ...DEFAULT_TARGETS_MS };
  const configured: Partial<Record<FreshnessNeed, string>> = {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const need of FRESHNESS_NEEDS) {
      const written = (value as Record<string, unknown>)[need];
      const ms = parseTargetDuration(written);
      if (ms !== null) {
        targets[need] = ms;
        configured[need] = formatTargetDuration(ms);
      }
    }
  }
  return { targets, configured };
}
