import type { Clock } from '../../domain/index.js';

/** A token as `get/token` hands it out. */
export interface OnelinkV5Token {
  token: string;
  /** Lifetime in seconds, as the supplier stated it. */
  ttlSeconds: number;
}

export interface OnelinkV5TokenCacheOptions {
  /** Fetches a fresh token (one `get/token` call). */
  fetchToken: () => Promise<OnelinkV5Token>;
  clock: Clock;
  /** Seconds before the stated expiry at which the token is renewed (default 60). */
  marginSeconds?: number;
}

/**
 * Holds the account's token: cached for its `ttl` minus a margin, fetched by at most one call at
 * a time (concurrent callers share the in-flight fetch, so a burst of calls after expiry costs
 * one `get/token`, not one each), and dropped when the supplier says it expired (`12021`).
 */
export class OnelinkV5TokenCache {
  #options: OnelinkV5TokenCacheOptions;
  #current: { token: string; renewAt: number } | null = null;
  #inFlight: Promise<string> | null = null;
  /** How many times a token was fetched (for tests and diagnostics). */
  fetches = 0;

  constructor(options: OnelinkV5TokenCacheOptions) {
    this.#options = options;
  }

  /** A valid token: the cached one, the one being fetched, or a new one. */
  get(): Promise<string> {
    const now = this.#options.clock.now();
    if (this.#current && now < this.#current.renewAt) return Promise.resolve(this.#current.token);
    if (this.#inFlight) return this.#inFlight;
    this.#inFlight = this.#fetch().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /**
   * Forgets `token` after the supplier refused it. A token fetched meanwhile by another caller is
   * kept, so N calls refused together trigger one fetch, not N.
   */
  invalidate(token: string): void {
    if (this.#current?.token === token) this.#current = null;
  }

  async #fetch(): Promise<string> {
    this.fetches += 1;
    const fetchedAt = this.#options.clock.now();
    const { token, ttlSeconds } = await this.#options.fetchToken();
    const lifetimeMs = Math.max(0, ttlSeconds) * 1000;
    const marginMs = (this.#options.marginSeconds ?? 60) * 1000;
    // A short-lived token keeps at least half its life rather than expiring on arrival.
    const usableMs = Math.max(lifetimeMs - marginMs, lifetimeMs / 2);
    this.#current = { token, renewAt: fetchedAt + usableMs };
    return token;
  }
}
