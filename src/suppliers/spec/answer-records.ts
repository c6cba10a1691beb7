/** A JSON object (not null, not a list): what the items of a supplier's answer should be. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The objects of a list in a supplier's answer. Anything else in the list (null, a number, a
 * nested list) is skipped, and a value that is no list holds none: a spoiled answer leaves its
 * cards unanswered instead of failing the batch.
 */
export function recordsIn(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
