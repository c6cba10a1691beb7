import { SimdockError } from '../../domain/index.js';
import type { Store, ThrottlePolicy } from '../../store/index.js';

/**
 * Failed logins per account: 5 in a quarter hour are free, then each further one blocks the
 * account's logins for 1 s, 2 s, 4 s, … up to 15 minutes.
 */
export const LOGIN_ACCOUNT_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  free: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
};

/** Failed logins per client address: 20 free (an office behind one address), then the same. */
export const LOGIN_ADDRESS_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  free: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
};

const ACCOUNT = 'login-account';
const ADDRESS = 'login-address';

/** Who is trying to sign in: the email asked for and the client's address (null: unknown). */
export interface LoginAttempt {
  email: string;
  address: string | null;
}

/**
 * Throttles console logins per account and per address with growing delays, counted in the
 * database so every `simdock serve` process sees the same counts. A refused attempt is
 * `rate_limited` (429 with `Retry-After`) and audited; the password is never checked then.
 */
export class LoginThrottle {
  readonly #store: Store;
  readonly #now: () => number;

  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  #keys(attempt: LoginAttempt): [string, string, ThrottlePolicy][] {
    const keys: [string, string, ThrottlePolicy][] = [
      [ACCOUNT, attempt.email.trim().toLowerCase(), LOGIN_ACCOUNT_POLICY],
    ];
    if (attempt.address) keys.push([ADDRESS, attempt.address, LOGIN_ADDRESS_POLICY]);
    return keys;
  }

  /** Throws `rate_limited` (audited) while the account or the address is blocked. */
  async check(attempt: LoginAttempt): Promise<void> {
    let until = 0;
    let by: string | null = null;
    for (const [scope, key, policy] of this.#keys(attempt)) {
      const state = await this.#store.throttles.get(scope, key, policy);
      if (state.blockedUntil > until) {
        until = state.blockedUntil;
        by = scope === ACCOUNT ? 'account' : 'address';
      }
    }
    if (until === 0) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((until - this.#now()) / 1000));
    await this.#audit(attempt, 'auth.login_throttled', { by, retryAfterSeconds });
    throw new SimdockError(
      'rate_limited',
      `too many failed logins; try again in ${retryAfterSeconds} s`,
      { details: { retryAfterSeconds, by } },
    );
  }

  /** Counts a failed login against the account and the address, audited. */
  async failed(attempt: LoginAttempt): Promise<void> {
    const states = [];
    for (const [scope, key, policy] of this.#keys(attempt)) {
      states.push(await this.#store.throttles.fail(scope, key, policy));
    }
    const blockedUntil = Math.max(...states.map((state) => state.blockedUntil));
    await this.#audit(attempt, 'auth.login', {
      failures: states[0]?.failures ?? 0,
      ...(blockedUntil > 0 ? { blockedUntil: new Date(blockedUntil).toISOString() } : {}),
    });
  }

  /** A successful login clears the account's count (the address keeps its own). */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.#store.throttles.clear(ACCOUNT, attempt.email.trim().toLowerCase());
  }

  async #audit(attempt: LoginAttempt, action: string, details: Record<string, unknown>) {
    await this.#store.audit.record({
      actor: attempt.address ? `address:${attempt.address}` : 'anonymous',
      action,
      targetType: 'user',
      targetId: attempt.email.trim().toLowerCase().slice(0, 254),
      outcome: 'failed',
      details,
    });
  }
}
