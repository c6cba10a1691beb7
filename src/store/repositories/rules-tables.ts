/** Splits ids into lists small enough for one `in (…)` on either dialect. */
export function idChunks<T>(items: readonly T[], size = 500): T[][] {
  const parts: T[][] = [];
  for (let index = 0; index < items.length; index += size) {
    parts.push(items.slice(index, index + size));
  }
  return parts;
}
