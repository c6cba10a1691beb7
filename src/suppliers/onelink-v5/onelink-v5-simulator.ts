import { Hono } from 'hono';
import { type Clock, systemClock } from '../../domain/index.js';
import type { FetchFunction } from '../spec/index.js';
import {
  appFetch,
  CallLog,
  FaultInjector,
  type FaultSettings,
  faultMiddleware,
  seededRandom,
} from '../spec/simulator-kit.js';
import { type OnelinkV5Handler, onelinkV5Handlers } from './onelink-v5-simulator-handlers.js';
import { OnelinkV5SimulatorState } from './onelink-v5-simulator-state.js';

export interface OnelinkV5SimulatorOptions {
  appid: string;
  password: string;
  /** Cards in the fleet (a pattern: 100,000 cards cost no memory). */
  size: number;
  clock?: Clock;
  faults?: FaultSettings;
  /** Lifetime of issued tokens (default 7200 s). */
  tokenTtlSeconds?: number;
  /** Delay before a batch status change settles (default 30 s). */
  settleDelayMs?: number;
  /** Minutes a card stays locked after a change (default 3). */
  cooldownMinutes?: number;
  seed?: number;
}

/** A running simulator: its Hono app, an in-process fetch, and handles for tests. */
export interface OnelinkV5Simulator {
  app: Hono;
  fetch: FetchFunction;
  state: OnelinkV5SimulatorState;
  faults: FaultInjector;
  calls: CallLog;
  /** Tokens issued so far. */
  tokensIssued(): number;
  /** Makes every issued token expire now (as the supplier does on its own schedule). */
  expireTokens(): void;
}

/** The answer envelope: `{status, message, result}`, `status` a string. */
export function envelope(status: string, message: string, result: unknown[] = []) {
  return { status, message, result };
}

/**
 * A fake OneLink v5 (`/v5/ec/...`) that answers as PROTOCOL-NOTES.md describes: `get/token` with
 * appid/password, strict token checks on every call (unknown or expired → 12021), transid format
 * and reuse checks, batch limits, asynchronous batch changes that settle after a delay, the
 * per-card lock after a change, and injectable faults.
 */
export function createOnelinkV5Simulator(options: OnelinkV5SimulatorOptions): OnelinkV5Simulator {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 5;
  const ttlMs = (options.tokenTtlSeconds ?? 7200) * 1000;
  const faults = new FaultInjector(options.faults ?? {}, { seed, now: () => clock.now() });
  const state = new OnelinkV5SimulatorState({
    size: options.size,
    clock,
    seed,
    faults,
    cooldownMinutes: options.cooldownMinutes ?? 3,
    settleDelayMs: options.settleDelayMs ?? 30_000,
  });
  const calls = new CallLog();
  const random = seededRandom(seed * 7919);
  const tokens = new Map<string, number>();
  const seenTransids = new Set<string>();
  let issued = 0;

  const transidProblem = (transid: string | undefined): string | null => {
    if (!transid) return 'transid 缺失';
    if (transid.length > 48) return 'transid 超过48位';
    if (!transid.startsWith(options.appid)) return 'transid 须以appid开头';
    if (!/^\d{22}$/.test(transid.slice(options.appid.length))) {
      return 'transid 须为 appid+yyyyMMddHHmmss+8位序列';
    }
    if (seenTransids.has(transid)) return 'transid 重复';
    if (seenTransids.size >= 100_000) seenTransids.clear();
    seenTransids.add(transid);
    return null;
  };

  const app = new Hono();
  app.use(
    '/v5/ec/*',
    faultMiddleware(faults, (context) => context.json(envelope('71', '已超出API最大流控限制'))),
  );
  app.all('/v5/ec/*', async (context) => {
    const params = await readParams(context.req.raw);
    const path = context.req.path.slice('/v5/ec/'.length);
    calls.record(path, redact(params), clock.now());
    const problem = transidProblem(params.transid);
    if (problem) return context.json(envelope('11000', `参数错误: ${problem}`));

    if (path === 'get/token') {
      if (params.appid !== options.appid || params.password !== options.password) {
        return context.json(envelope('12022', 'appid或password错误'));
      }
      const now = clock.now();
      for (const [token, expiresAt] of tokens) if (expiresAt <= now) tokens.delete(token);
      const token = Array.from({ length: 4 }, () =>
        Math.floor(random() * 2 ** 32)
          .toString(16)
          .padStart(8, '0'),
      ).join('');
      tokens.set(token, now + ttlMs);
      issued += 1;
      return context.json(envelope('0', '正确', [{ token, ttl: String(ttlMs / 1000) }]));
    }

    const expiresAt = params.token ? tokens.get(params.token) : undefined;
    if (expiresAt === undefined || expiresAt <= clock.now()) {
      return context.json(envelope('12021', 'TOKEN不存在或已过期，请重新获取'));
    }
    const handler: OnelinkV5Handler | undefined = onelinkV5Handlers[path];
    if (!handler) return context.json(envelope('11000', `参数错误: 接口 ${path} 不存在`), 404);
    return context.json(handler(params, { state, clock, faults }));
  });

  return {
    app,
    fetch: appFetch(app),
    state,
    faults,
    calls,
    tokensIssued: () => issued,
    expireTokens: () => {
      for (const token of tokens.keys()) tokens.set(token, clock.now());
    },
  };
}

/** Query string and, for POST, a JSON or form body (both are seen in the wild). */
async function readParams(request: Request): Promise<Record<string, string>> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URL(request.url).searchParams) params[name] = value;
  if (request.method === 'POST') {
    const body = await request.text();
    if (body.trim().startsWith('{')) {
      try {
        for (const [name, value] of Object.entries(JSON.parse(body) as Record<string, unknown>)) {
          params[name] = String(value);
        }
      } catch {
        // A broken body leaves only the query parameters; the handler reports what is missing.
      }
    } else {
      for (const [name, value] of new URLSearchParams(body)) params[name] = value;
    }
  }
  return params;
}

function redact(params: Record<string, string>): Record<string, string> {
  return params.password ? { ...params, password: '***' } : params;
}
