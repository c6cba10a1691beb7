import type { Context, MiddlewareHandler } from 'hono';
import type { FetchFunction } from './fetch-decorators.js';

/**
 * Shared pieces of the supplier simulators: a seeded fleet that costs no memory per card,
 * deterministic usage figures, and fault injection. Signing and wire shapes stay in each
 * supplier's own simulator, written independently of its client.
 */

/** A small, fast, seedable PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit hash of a string, for deterministic per-card figures. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export interface FleetPattern {
  /** ICCID prefix; the index fills the rest up to `iccidLength`. */
  iccidPrefix: string;
  iccidLength?: 19 | 20;
  msisdnPrefix: string;
  msisdnLength?: number;
  imsiPrefix: string;
  imeiPrefix?: string;
  size: number;
}

export interface FleetCard {
  index: number;
  iccid: string;
  msisdn: string;
  imsi: string;
  imei: string;
}

/**
 * A fleet defined by a pattern: card `i` has identifiers derived from `i`, so a million-card
 * simulator holds no per-card memory, and any identifier maps back to its index.
 */
export class PatternFleet {
  readonly pattern: Required<FleetPattern>;
  /** Cards put into another device than their pattern's: index → IMEI. */
  readonly #moved = new Map<number, string>();

  constructor(pattern: FleetPattern) {
    this.pattern = { iccidLength: 20, msisdnLength: 13, imeiPrefix: '86', ...pattern };
  }

  get size(): number {
    return this.pattern.size;
  }

  card(index: number): FleetCard {
    const { pattern } = this;
    const fill = (prefix: string, length: number) =>
      prefix + String(index).padStart(length - prefix.length, '0');
    return {
      index,
      iccid: fill(pattern.iccidPrefix, pattern.iccidLength),
      msisdn: fill(pattern.msisdnPrefix, pattern.msisdnLength),
      imsi: fill(pattern.imsiPrefix, 15),
      imei: this.#moved.get(index) ?? fill(pattern.imeiPrefix, 15),
    };
  }

  /** Card `index` is put into another device: from now on it reports that device's IMEI. */
  moveToDevice(index: number, imei: string): void {
    this.#moved.set(index, imei);
  }

  /** The index of the card with this identifier, or undefined. */
  find(kind: 'iccid' | 'msisdn' | 'imsi' | 'imei', value: string): number | undefined {
    if (kind === 'imei') {
      for (const [index, imei] of this.#moved) if (imei === value) return index;
      const index = this.#patternIndex(kind, value);
      return index === undefined || this.#moved.has(index) ? undefined : index;
    }
    return this.#patternIndex(kind, value);
  }

  #patternIndex(kind: 'iccid' | 'msisdn' | 'imsi' | 'imei', value: string): number | undefined {
    const { pattern } = this;
    const [prefix, length] = {
      iccid: [pattern.iccidPrefix, pattern.iccidLength],
      msisdn: [pattern.msisdnPrefix, pattern.msisdnLength],
      imsi: [pattern.imsiPrefix, 15],
      imei: [pattern.imeiPrefix, 15],
    }[kind] as [string, number];
    const normalized = kind === 'iccid' ? value.toUpperCase() : value;
    if (normalized.length !== length || !normalized.startsWith(prefix)) return undefined;
    const rest = normalized.slice(prefix.length);
    if (!/^\d+$/.test(rest)) return undefined;
    const index = Number(rest);
    return index < pattern.size ? index : undefined;
  }

  *cards(): Generator<FleetCard> {
    for (let index = 0; index < this.size; index += 1) yield this.card(index);
  }
}

/**
 * A deterministic day's usage in KB for a card: most cards use a few MB a day, some nothing,
 * a few a lot.
 */
export function simulatedDailyKb(cardKey: string, date: string): number {
  const hash = hashString(`${cardKey}|${date}`);
  const bucket = hash % 100;
  if (bucket < 8) return 0;
  if (bucket < 95) return hash % 20_480;
  return 20_480 + (hash % 1_048_576);
}

export interface FaultSettings {
  /** Added to every answer, in ms (real time). */
  latencyMs?: number;
  /** Share of calls (0–1) that never answer until the caller gives up. */
  timeoutRate?: number;
  /** Share of calls answered with HTTP 500/502/503. */
  serverErrorRate?: number;
  /** Share of calls answered with the supplier's own throttling response. */
  throttleRate?: number;
  /** Share of calls answered with truncated JSON. */
  malformedRate?: number;
  /** Share of cards in a batch that fail on their own. */
  partialFailureRate?: number;
  /** The supplier is down (HTTP 503) until this epoch ms. */
  downUntil?: number;
}

export type FaultDecision = 'ok' | 'timeout' | 'server-error' | 'throttle' | 'malformed' | 'down';

/** Decides, call by call, which fault to inject. Seeded, so a failing run can be repeated. */
export class FaultInjector {
  settings: FaultSettings;
  #random: () => number;
  #now: () => number;
  readonly injected: Record<FaultDecision, number> = {
    ok: 0,
    timeout: 0,
    'server-error': 0,
    throttle: 0,
    malformed: 0,
    down: 0,
  };

  constructor(settings: FaultSettings = {}, options: { seed?: number; now?: () => number } = {}) {
    this.settings = settings;
    this.#random = seededRandom(options.seed ?? 1);
    this.#now = options.now ?? Date.now;
  }

  /** Replaces the settings (e.g. between tests). */
  set(settings: FaultSettings): void {
    this.settings = settings;
  }

  decide(): FaultDecision {
    const { settings } = this;
    let decision: FaultDecision = 'ok';
    if (settings.downUntil !== undefined && this.#now() < settings.downUntil) decision = 'down';
    else {
      const roll = this.#random();
      let edge = 0;
      for (const [name, rate] of [
        ['timeout', settings.timeoutRate],
        ['server-error', settings.serverErrorRate],
        ['throttle', settings.throttleRate],
        ['malformed', settings.malformedRate],
      ] as const) {
        edge += rate ?? 0;
        if (roll < edge) {
          decision = name;
          break;
        }
      }
    }
    this.injected[decision] += 1;
    return decision;
  }

  /** Whether one card of a batch should fail on its own. */
  failItem(): boolean {
    const rate = this.settings.partialFailureRate ?? 0;
    return rate > 0 && this.#random() < rate;
  }
}

/**
 * Hono middleware applying the injector's decision before the handler; `throttled` builds the
 * supplier's own throttling answer.
 */
export function faultMiddleware(
  injector: FaultInjector,
  throttled: (context: Context) => Response | Promise<Response>,
): MiddlewareHandler {
  return async (context, next) => {
    const latency = injector.settings.latencyMs ?? 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    switch (injector.decide()) {
      case 'down':
        return context.text('Service Unavailable', 503);
      case 'server-error':
        return context.text('Internal Server Error', 500);
      case 'throttle':
        return throttled(context);
      case 'timeout':
        await hangUntilAborted(context.req.raw.signal);
        return context.text('Gateway Timeout', 504);
      case 'malformed': {
        await next();
        const text = await context.res.text();
        context.res = new Response(text.slice(0, Math.max(1, Math.floor(text.length / 2))), {
          status: context.res.status,
          headers: context.res.headers,
        });
        return;
      }
      default:
        await next();
    }
  };
}

function hangUntilAborted(signal: AbortSignal): Promise<void> {
  // Held for at most 60 s, so a caller without a timeout is not stuck forever.
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 60_000);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A `fetch` that hands requests straight to an in-process app (no port needed). */
export function appFetch(app: {
  request: (input: Request) => Response | Promise<Response>;
}): FetchFunction {
  return async (input, init) => app.request(new Request(input, init));
}

/** Records every call a simulator answers, for call-count assertions. */
export class CallLog {
  readonly entries: { path: string; at: number; params: Record<string, string> }[] = [];
  keep = true;
  total = 0;

  record(path: string, params: Record<string, string>, at = Date.now()): void {
    this.total += 1;
    if (this.keep) this.entries.push({ path, at, params });
  }

  count(path?: string): number {
    if (path === undefined) return this.total;
    return this.entries.filter((entry) => entry.path === path).length;
  }

  clear(): void {
    this.entries.length = 0;
    this.total = 0;
  }
}
