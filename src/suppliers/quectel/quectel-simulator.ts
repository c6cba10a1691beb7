import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { type Clock, cstDate, systemClock } from '../../domain/index.js';
import type { FetchFunction } from '../spec/fetch-decorators.js';
import {
  appFetch,
  CallLog,
  FaultInjector,
  type FaultSettings,
  faultMiddleware,
} from '../spec/simulator-kit.js';
import {
  cardQueryHandlers,
  type Form,
  type Handler,
  SimulatorFailure,
} from './quectel-simulator-cards.js';
import { cardChangeHandlers } from './quectel-simulator-changes.js';
import { cstDateTime, SimulatedCommerce } from './quectel-simulator-commerce.js';
import { QuectelSimulatedFleet } from './quectel-simulator-fleet.js';
import { type ServiceState, serviceHandlers } from './quectel-simulator-services.js';

/**
 * A fake Quectel connectivity platform (quectel-connectivity-api-v3.15.md) as a Hono app. It
 * checks signatures with its own code, refuses `t` more than five minutes off its clock, keeps
 * state only for cards that changed, and pushes SMS and order callbacks to `callbackUrl`.
 */
export interface QuectelSimulatorOptions {
  appKey: string;
  secret: string;
  /** Cards in the fleet (100,000 and more cost no memory per card). */
  size: number;
  clock?: Clock;
  faults?: FaultSettings;
  /** Where SMS reports, inbound SMS and order results are pushed. */
  callbackUrl?: string;
  /** Where order results go when different from `callbackUrl`. */
  orderCallbackUrl?: string;
  /** The transport used for pushes (tests pass a notice app's fetch). */
  callbackFetch?: FetchFunction;
  seed?: number;
  /** 'examples' (default) answers like the document's examples, 'tables' like its tables. */
  wireStyle?: 'examples' | 'tables';
  /** Opening wallet balance in yuan (default 500). */
  walletYuan?: number;
}

/** The path clients post to. */
export const QUECTEL_SIMULATOR_PATH = '/openapi/router';

/** Parameters never signed (§1.6, §2.3.7, §2.3.8), as the simulator itself knows them. */
const NOT_SIGNED = ['sign', 'alarmParam', 'alarmStatus', 'pauseStatus'];

/** The simulator's own signature check: SHA1 over secret, sorted pairs, secret; upper hex. */
function expectedSignature(form: Form, secret: string): string {
  const names = Object.keys(form)
    .filter((name) => !NOT_SIGNED.includes(name) && form[name] !== '')
    .sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
  const hash = createHash('sha1');
  hash.update(secret);
  for (const name of names) hash.update(name + form[name]);
  hash.update(secret);
  return hash.digest('hex').toUpperCase();
}

export function createQuectelSimulator(options: QuectelSimulatorOptions) {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const faults = new FaultInjector(options.faults ?? {}, { seed: options.seed ?? 1, now });
  const fleet = new QuectelSimulatedFleet(options.size, clock);
  const commerce = new SimulatedCommerce(clock, Math.round((options.walletYuan ?? 500) * 100));
  const callLog = new CallLog();
  let smsSequence = 0;
  const state: ServiceState = {
    fleet,
    now,
    wireStyle: options.wireStyle ?? 'examples',
    commerce,
    faults,
    tasks: [],
    sms: [],
    inboundCount: new Map(),
    notices: [],
    nextSmsId: () => {
      smsSequence += 1;
      return `S${now().toString(36)}${String(smsSequence).padStart(6, '0')}`;
    },
  };
  const handlers: Record<string, Handler> = {
    ...cardQueryHandlers(state),
    ...cardChangeHandlers(state),
    ...serviceHandlers(state),
  };
  const settleOrders = () => {
    for (const order of commerce.settle(fleet)) {
      state.notices.push({ kind: 'order', body: commerce.notice(order), attempts: 0 });
    }
  };

  const app = new Hono();
  app.use(
    QUECTEL_SIMULATOR_PATH,
    faultMiddleware(faults, (context) =>
      context.json({ resultCode: 429, errorMessage: '请求过于频繁' }, 429),
    ),
  );
  app.all(QUECTEL_SIMULATOR_PATH, async (context) => {
    const answer = (
      resultCode: number,
      errorMessage: string,
      extra: Record<string, unknown> = {},
    ) => context.json({ resultCode, errorMessage, ...extra });
    // §1.7 (3): GET is refused with 70031 unauthorized.
    if (context.req.method !== 'POST') return answer(70031, 'unauthorized');
    // §1.7 (1): form-data or x-www-form-urlencoded only, never JSON.
    if ((context.req.header('content-type') ?? '').includes('json')) {
      return answer(1, '不支持 JSON 格式参数');
    }
    const form: Form = {};
    for (const [name, value] of Object.entries(await context.req.parseBody())) {
      if (typeof value === 'string') form[name] = value;
    }
    callLog.record(form.method ?? '', form, now());
    if (!form.appKey || !form.method || !form.t || !form.sign) {
      return answer(1, 'appKey、method、t、sign 为必传参数');
    }
    if (form.appKey !== options.appKey) return answer(70031, 'unauthorized');
    const t = Number(form.t);
    if (!Number.isInteger(t) || Math.abs(t - Math.floor(now() / 1000)) > 300) {
      return answer(1, '时间戳与服务器时间误差超过 5 分钟');
    }
    if (form.sign !== expectedSignature(form, options.secret)) return answer(1, '签名错误');
    const handler = handlers[form.method];
    if (!handler) return answer(1, `服务方法不存在: ${form.method}`);
    settleOrders();
    try {
      const result = await handler(form);
      if (result instanceof Response) return result;
      return context.json({ resultCode: 0, errorMessage: null, ...(result as object) });
    } catch (error) {
      if (error instanceof SimulatorFailure)
        return answer(error.resultCode, error.message, error.extra);
      throw error;
    }
  });

  /** Posts every pending notice; those not acknowledged exactly as documented stay queued. */
  async function deliverNotices(): Promise<{ delivered: number; failed: number }> {
    settleOrders();
    const transport = options.callbackFetch ?? globalThis.fetch;
    let delivered = 0;
    const remaining = [];
    for (const notice of state.notices.splice(0)) {
      const url =
        notice.kind === 'order'
          ? (options.orderCallbackUrl ?? options.callbackUrl)
          : options.callbackUrl;
      if (!url) {
        remaining.push(notice);
        continue;
      }
      notice.attempts += 1;
      let acknowledged = false;
      try {
        const response = await transport(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(notice.body),
        });
        const text = await response.text();
        // §2.3.6: SMS callbacks expect the seven characters `success`; §2.5.6: orders code 200.
        acknowledged =
          notice.kind === 'sms' ? text.trim() === 'success' : safeJson(text)?.code === 200;
      } catch {
        acknowledged = false;
      }
      if (acknowledged) delivered += 1;
      else remaining.push(notice);
    }
    state.notices.push(...remaining);
    return { delivered, failed: remaining.length };
  }

  /** A device sends a text to the card's SMS service number: an inbox callback is queued. */
  function receiveDeviceSms(input: { iccid?: string; msisdn?: string; content: string }): string {
    const index = input.iccid
      ? fleet.find('iccid', input.iccid)
      : fleet.find('msisdn', input.msisdn ?? '');
    if (index === undefined) throw new Error('no such card in the simulated fleet');
    const card = fleet.pattern.card(index);
    const month = cstDate(now()).slice(0, 7).replace('-', '');
    state.inboundCount.set(month, (state.inboundCount.get(month) ?? 0) + 1);
    const smsId = state.nextSmsId();
    state.notices.push({
      kind: 'sms',
      attempts: 0,
      body: {
        type: 'inbox',
        msisdn: card.msisdn,
        iccid: card.iccid,
        sms_id: smsId,
        content: input.content,
        recievetime: cstDateTime(now()),
      },
    });
    return smsId;
  }

  return {
    app,
    /** A fetch straight into the app, for clients under test. */
    fetch: appFetch(app),
    /** The router URL to give a client when using `fetch`. */
    baseURL: `http://quectel.simulator${QUECTEL_SIMULATOR_PATH}`,
    fleet,
    faults,
    callLog,
    commerce,
    /** Pushes waiting for delivery. */
    pendingNotices: () => state.notices.map((notice) => ({ ...notice })),
    deliverNotices,
    receiveDeviceSms,
    /** Marks a card cancelled (销号), e.g. to make its orders fail. */
    deactivate(iccid: string) {
      const index = fleet.find('iccid', iccid);
      if (index === undefined) throw new Error('no such card in the simulated fleet');
      fleet.update(index, { status: '销号', pausereason: '' });
    },
  };
}

export type QuectelSimulator = ReturnType<typeof createQuectelSimulator>;

function safeJson(text: string): { code?: unknown } | null {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
