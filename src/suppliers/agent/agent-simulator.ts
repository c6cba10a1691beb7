import { createHash, timingSafeEqual } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { type Clock, systemClock } from '../../domain/index.js';
import type { FetchFunction } from '../spec/index.js';
import {
  appFetch,
  CallLog,
  FaultInjector,
  type FaultSettings,
  faultMiddleware,
} from '../spec/simulator-kit.js';
import { type AgentPaths, operationOfPath, resolveAgentPaths } from './agent-paths.js';
import { AGENT_CODES } from './agent-protocol.js';
import { agentRequestSchemas } from './agent-requests.js';
import {
  cardHandlers,
  fail,
  type SimulatorAnswer,
  type SimulatorRequest,
} from './agent-simulator-cards.js';
import { deviceHandlers } from './agent-simulator-devices.js';
import { AgentSimulatorFleet } from './agent-simulator-fleet.js';

export interface AgentSimulatorOptions {
  appId: string;
  secret: string;
  /** Cards in the pattern fleet (the document's two cards come on top). */
  size: number;
  /** Generated devices, each holding two fleet cards (the document's device comes on top). */
  devices?: number;
  clock?: Clock;
  faults?: FaultSettings;
  seed?: number;
  /** Path overrides, as in the client's settings. */
  paths?: Record<string, string>;
  /** How long a batch stop / restore takes to settle (default 30 s). */
  settleDelayMs?: number;
  /** The wait between two speed changes of a card (default 5 min). */
  speedCooldownMs?: number;
  /** How long a reboot or reset keeps a device offline (default 90 s). */
  rebootMs?: number;
  /** Latest-status reads allowed per card per minute (default 3). */
  statusCallsPerCardPerMinute?: number;
}

export interface AgentSimulator {
  /** The Hono app; serve it, or pass `fetch` to a client. */
  app: Hono;
  fetch: FetchFunction;
  fleet: AgentSimulatorFleet;
  faults: FaultInjector;
  calls: CallLog;
  paths: AgentPaths;
  /** Presses a shut-down device's power button. */
  powerOn(deviceNo: string): void;
}

const TIMESTAMP_WINDOW_SECONDS = 600;

/** The simulator's own check of the agent signature, written apart from the client's signer. */
function expectedSign(appId: string, traceId: string, timestamp: string, secret: string): string {
  return createHash('md5').update(`${appId}2.0.0${traceId}${timestamp}${secret}`).digest('hex');
}

function sameText(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A fake agent platform speaking the agent open API: strict header signing, a ±10 min timestamp
 * window, traceIDs never accepted twice, batch limits, the latest-status budget per card, the
 * speed-change cooldown, asynchronous stop / restore settling on its clock, devices that change
 * when commanded, and injectable faults.
 */
export function createAgentSimulator(options: AgentSimulatorOptions): AgentSimulator {
  const clock = options.clock ?? systemClock;
  const paths = resolveAgentPaths(options.paths);
  const fleet = new AgentSimulatorFleet({ size: options.size, devices: options.devices ?? 2 });
  const faults = new FaultInjector(options.faults ?? {}, {
    seed: options.seed,
    now: () => clock.now(),
  });
  const calls = new CallLog();
  const seenTraceIds = new Map<string, number>();
  const settings: SimulatorRequest['settings'] = {
    settleDelayMs: options.settleDelayMs ?? 30_000,
    speedCooldownMs: options.speedCooldownMs ?? 5 * 60_000,
    statusCallsPerCardPerMinute: options.statusCallsPerCardPerMinute ?? 3,
    statusCalls: new Map(),
    speedChangedAt: new Map(),
  };
  const timings = { rebootMs: options.rebootMs ?? 90_000 };

  const envelope = (context: Context, answer: SimulatorAnswer) =>
    context.json({
      code: answer.code,
      message: answer.message ?? (answer.code === AGENT_CODES.success ? '操作成功' : '操作失败'),
      data: answer.data ?? null,
      timestamp: Math.floor(clock.now() / 1000),
      traceID: context.req.header('traceID') ?? '',
    });

  const authenticate = (context: Context): SimulatorAnswer | null => {
    const header = (name: string) => context.req.header(name) ?? '';
    const [appId, version, traceId, timestamp, sign] = [
      header('appID'),
      header('apiVersion'),
      header('traceID'),
      header('timestamp'),
      header('sign'),
    ];
    if (!appId || !version || !traceId || !timestamp || !sign) {
      return fail(AGENT_CODES.invalidParameter, '缺少请求头');
    }
    if (appId !== options.appId) return fail(AGENT_CODES.unknownApp, 'appID不存在');
    if (version !== '2.0.0') return fail(AGENT_CODES.unsupportedVersion, 'apiVersion不支持');
    if (!/^[0-9a-f]{32}$/.test(traceId))
      return fail(AGENT_CODES.invalidParameter, 'traceID格式错误');
    const nowSeconds = Math.floor(clock.now() / 1000);
    if (!/^\d{10}$/.test(timestamp)) return fail(AGENT_CODES.timestampExpired, 'timestamp格式错误');
    if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_WINDOW_SECONDS) {
      return fail(AGENT_CODES.timestampExpired, 'timestamp已过期');
    }
    if (!sameText(sign, expectedSign(appId, traceId, timestamp, options.secret))) {
      return fail(AGENT_CODES.badSignature, '签名错误');
    }
    if (seenTraceIds.has(traceId)) return fail(AGENT_CODES.traceIdReused, 'traceID重复');
    seenTraceIds.set(traceId, clock.now());
    // A traceID older than twice the window can no longer come with a valid timestamp. The map
    // keeps insertion order, so the old ones are at its front: dropping them stops at the first
    // recent one instead of walking every traceID on every call (that walk made large fleets
    // slow: 100,000 batch calls in one window meant 100,000 walks of a growing map).
    if (seenTraceIds.size > 10_000) {
      const horizon = clock.now() - 2 * TIMESTAMP_WINDOW_SECONDS * 1000;
      for (const [seen, at] of seenTraceIds) {
        if (at >= horizon) break;
        seenTraceIds.delete(seen);
      }
    }
    return null;
  };

  const app = new Hono();
  app.use(
    '*',
    faultMiddleware(faults, (context) =>
      envelope(context, fail(AGENT_CODES.tooFrequent, '请求过于频繁')),
    ),
  );
  app.post('*', async (context) => {
    const url = new URL(context.req.url);
    const operation = operationOfPath(paths, url.pathname);
    if (!operation) return context.json({ message: 'Not Found' }, 404);
    const refused = authenticate(context);
    if (refused) return envelope(context, refused);
    const type = context.req.header('content-type') ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      return envelope(context, fail(AGENT_CODES.invalidParameter, '请使用表单提交'));
    }
    const form = Object.fromEntries(new URLSearchParams(await context.req.text()));
    const now = clock.now();
    calls.record(url.pathname, form, now);
    const checked = agentRequestSchemas[operation].safeParse(form);
    if (!checked.success) {
      const message = checked.error.issues.map((issue) => issue.message).join('; ');
      return envelope(context, fail(AGENT_CODES.invalidParameter, `参数错误: ${message}`));
    }
    fleet.settle(now);
    const request: SimulatorRequest = { fleet, form, now, faults, origin: url.origin, settings };
    const cardHandler = cardHandlers[operation];
    if (cardHandler) return envelope(context, cardHandler(request));
    const device = fleet.devices.get(form.deviceNo ?? '');
    if (!device) return envelope(context, fail(AGENT_CODES.deviceNotFound, '设备不存在'));
    return envelope(context, deviceHandlers[operation]!(request, device, timings));
  });

  return {
    app,
    fetch: appFetch(app),
    fleet,
    faults,
    calls,
    paths,
    powerOn(deviceNo) {
      const device = fleet.devices.get(deviceNo);
      if (device) device.poweredOff = false;
    },
  };
}
