/**
 * The console's query strings: plain `key=value` pairs read and written with URLSearchParams, as
 * the server's SPA links and operators' shared links spell them. The router's default would
 * JSON-encode values, turning `?q=1064123456789` into a number and writing strings in quotes.
 */

/** A query string as an object: the first value of each key, always a string. */
export function parseSearch(searchString: string): Record<string, unknown> {
  const values: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(searchString)) {
    if (!Object.hasOwn(values, key)) values[key] = value;
  }
  return values;
}

/** The query string of a search object (`?a=1&b=2`), leaving out empty values. */
export function stringifySearch(search: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/**
 * A route's `validateSearch` for string parameters: keeps every non-empty string value (a key
 * the page does not know survives as it always did), typed as the page's own keys.
 */
export function stringSearch<Search extends object>() {
  return (search: Record<string, unknown>): Search => {
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(search)) {
      if (typeof value === 'string' && value !== '') values[key] = value;
    }
    return values as Search;
  };
}

/** Changes to a search: a string sets a key, null or '' removes it; keys not named are kept. */
export type SearchChanges<Search> = { [Key in keyof Search]?: string | null };

/** `previous` with `changes` applied. */
export function mergeSearch<Search extends object>(
  previous: Search,
  changes: SearchChanges<Search>,
): Search {
  const next: Record<string, unknown> = { ...(previous as Record<string, unknown>) };
  for (const [key, value] of Object.entries(changes) as [string, string | null | undefined][]) {
    if (value === null || value === undefined || value === '') delete next[key];
    else next[key] = value;
  }
  return next as Search;
}
