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
  PatternFleet,
} from '../spec/simulator-kit.js';
import {
  answerGprs,
  type CardNumberKind,
  cardInfoItem,
  type ItemKeyCase,
  onelinkV2DocumentCards,
  type SimulatedCard,
  type SimulatorSettings,
  simulatorStatus,
  unknownCardItem,
  withinSimulatorWindow,
} from './onelink-v2-simulator-fleet.js';

/**
 * A fake OneLink v2 upstream speaking the wire protocol of onelink-v2-api2111-batchquerycardinfo.txt
 * and onelink-v2-api2010-batchgprsusedbydate.txt. It checks tokens with its own sha256 code
 * (never the client's), enforces each endpoint's ebid, the 100-number limit and the 7-day
 * window, and can inject faults.
 */

export interface OnelinkV2SimulatorOptions {
  appid: string;
  password: string;
  /** The ebid each endpoint requires. */
  ebids: { batchquerycardinfo: string; batchgprsusedbydate: string };
  /** Cards in the pattern fleet, besides the document's own cards. */
  size: number;
  clock?: Clock;
  /** Fault settings, or an injector to share. */
  faults?: FaultSettings | FaultInjector;
  /** Seeds fault decisions and usage figures. */
  seed?: number;
  /** Key case of batch items: `document` = lower in 2111, upper in 2010 (as the examples). */
  itemKeyCase?: ItemKeyCase;
  /** `table`: 2010 items carry GPRS (the field table); `example`: no GPRS, SMS "0" (the example). */
  usageShape?: 'table' | 'example';
}

/** A running simulator: its app and the handles tests and `simdock demo` need. */
export interface OnelinkV2Simulator {
  app: Hono;
  /** `app` as a fetch function, for clients in tests. */
  fetch: FetchFunction;
  /** The generated cards (China Mobile style: ICCID 898604…, MSISDN 1064…, IMSI 46004…). */
  fleet: PatternFleet;
  /** The cards of the 2010 response example, held besides the fleet. */
  documentCards: readonly SimulatedCard[];
  faults: FaultInjector;
  callLog: CallLog;
  /** Answer shapes; change them between calls. */
  settings: SimulatorSettings;
  /** The card with this number, or undefined. */
  findCard(kind: CardNumberKind, value: string): SimulatedCard | undefined;
  /** The KB a card used on a CST date `YYYY-MM-DD`, as the simulator reports it. */
  dailyKb(card: SimulatedCard, date: string): number;
}

const PUBLIC_PARAMS = ['appid', 'transid', 'ebid', 'token'] as const;
const NUMBER_PARAMS = { msisdns: 'msisdn', iccids: 'iccid', imsis: 'imsi' } as const;
const BATCH_LIMIT = 100;

/**
 * Creates the simulator: the seven cards of the 2010 response example plus `size` generated
 * cards, answering `/v2/batchquerycardinfo` and `/v2/batchgprsusedbydate` on GET and POST.
 */
export function createOnelinkV2Simulator(options: OnelinkV2SimulatorOptions): OnelinkV2Simulator {
  const clock = options.clock ?? systemClock;
  const faults =
    options.faults instanceof FaultInjector
      ? options.faults
      : new FaultInjector(options.faults ?? {}, { seed: options.seed, now: () => clock.now() });
  const callLog = new CallLog();
  const fleet = new PatternFleet({
    // Prefixes chosen so no generated number can equal a document card's (898602…, 10648…, 4600402…).
    iccidPrefix: '8986041',
    msisdnPrefix: '10649',
    imsiPrefix: '4600491',
    size: options.size,
  });
  const documentCards = onelinkV2DocumentCards();
  const documentIndex = new Map<string, SimulatedCard>();
  for (const card of documentCards) {
    for (const kind of ['iccid', 'msisdn', 'imsi'] as const)
      documentIndex.set(`${kind}:${card[kind]}`, card);
  }
  const settings: SimulatorSettings = {
    itemKeyCase: options.itemKeyCase ?? 'document',
    usageShape: options.usageShape ?? 'table',
  };

  const findCard = (kind: CardNumberKind, value: string): SimulatedCard | undefined => {
    const normalized = kind === 'iccid' ? value.toUpperCase() : value;
    const known = documentIndex.get(`${kind}:${normalized}`);
    if (known) return known;
    const index = fleet.find(kind, normalized);
    return index === undefined ? undefined : fleet.card(index);
  };
  const usageKey = (card: SimulatedCard) =>
    options.seed === undefined ? card.iccid : `${options.seed}:${card.iccid}`;
  const dailyKb = (card: SimulatedCard, date: string) => answerGprs(usageKey(card), date);

  const expectedToken = (transid: string) =>
    createHash('sha256')
      .update(options.appid + options.password + transid, 'utf8')
      .digest('hex');

  const app = new Hono();
  app.use('*', async (context, next) => {
    callLog.record(new URL(context.req.url).pathname, context.req.query(), clock.now());
    await next();
  });
  app.use(
    '/v2/*',
    faultMiddleware(faults, (context) => context.json(simulatorStatus('71'))),
  );
  app.on(['GET', 'POST'], '/v2/:name', async (context) => {
    const name = context.req.param('name');
    if (name !== 'batchquerycardinfo' && name !== 'batchgprsusedbydate') {
      return context.text('Not Found', 404);
    }
    const params = await readParams(context);

    // 公共参数: appid, transid, ebid and token are all required.
    if (PUBLIC_PARAMS.some((param) => !params[param])) return context.json(simulatorStatus('10'));
    const { appid, transid, ebid, token } = params as Record<
      (typeof PUBLIC_PARAMS)[number],
      string
    >;
    // transid = appid + YYYYMMDDHHMISS + 8 digits, at most 48 characters (公共参数 transid).
    if (
      transid.length > 48 ||
      !transid.startsWith(appid) ||
      !/^\d{22}$/.test(transid.slice(appid.length))
    ) {
      return context.json(simulatorStatus('13'));
    }
    // An unknown appid cannot have a valid token: both answer 7 (Token鉴权不通过). Guess: no
    // document says which code a wrong appid gets.
    if (appid !== options.appid || !sameText(token, expectedToken(transid))) {
      return context.json(simulatorStatus('7'));
    }
    // Each ability has its own ebid; a wrong one fails the subscription check (订购关系鉴权不通过).
    if (ebid !== options.ebids[name]) return context.json(simulatorStatus('3'));

    const given = (Object.keys(NUMBER_PARAMS) as (keyof typeof NUMBER_PARAMS)[]).filter(
      (param) => params[param],
    );
    if (given.length !== 1) return context.json(simulatorStatus('10'));
    const param = given[0]!;
    const kind = NUMBER_PARAMS[param];
    const numbers = params[param]!.split('_');
    if (numbers.length > BATCH_LIMIT) return context.json(simulatorStatus('18'));
    if (numbers.every((number) => !wellFormed(kind, number))) {
      return context.json(simulatorStatus('21'));
    }

    let date: string | undefined;
    if (name === 'batchgprsusedbydate') {
      const queryDate = params.query_date;
      if (!queryDate) return context.json(simulatorStatus('10'));
      const window = withinSimulatorWindow(queryDate, clock.now());
      if (window === 'malformed') return context.json(simulatorStatus('14'));
      if (window === 'outside') return context.json(simulatorStatus('19'));
      date = window;
    }

    const keyCase = settings.itemKeyCase;
    const result = numbers.map((number) => {
      const card = wellFormed(kind, number) ? findCard(kind, number) : undefined;
      if (!card) return unknownCardItem(name, kind, number, keyCase);
      if (faults.failItem()) return unknownCardItem(name, kind, number, keyCase, '1');
      if (date === undefined) return cardInfoItem(card, keyCase);
      return answerUsageItem(card, date);
    });
    return context.json({ status: '0', message: '正确', result });

    function answerUsageItem(card: SimulatedCard, day: string) {
      const upper = keyCase !== 'lower';
      const item: Record<string, string> = {
        [upper ? 'ICCID' : 'iccid']: card.iccid,
        [upper ? 'IMSI' : 'imsi']: card.imsi,
        [upper ? 'MSISDN' : 'msisdn']: card.msisdn,
      };
      if (settings.usageShape === 'example') item[upper ? 'SMS' : 'sms'] = '0';
      else item[upper ? 'GPRS' : 'gprs'] = String(dailyKb(card, day));
      return item;
    }
  });
  app.notFound((context) => context.text('Not Found', 404));

  return {
    app,
    fetch: appFetch(app),
    fleet,
    documentCards,
    faults,
    callLog,
    settings,
    findCard,
    dailyKb,
  };
}

/** Query parameters, completed by a form body on POST (the documents send them in the URL). */
async function readParams(context: Context): Promise<Record<string, string>> {
  const params: Record<string, string> = { ...context.req.query() };
  const type = context.req.header('content-type') ?? '';
  if (context.req.method === 'POST' && type.includes('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(await context.req.text());
    for (const [name, value] of form) params[name] ??= value;
  }
  return params;
}

/** Number formats of 业务参数: MSISDN ≤ 13 digits, ICCID 19–20 characters, IMSI ≤ 15 digits. */
function wellFormed(kind: CardNumberKind, value: string): boolean {
  if (kind === 'iccid') return /^[0-9A-Za-z]{19,20}$/.test(value);
  return new RegExp(`^\\d{1,${kind === 'msisdn' ? 13 : 15}}$`).test(value);
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
