import { type Clock, parseIccid, parseImsi, parseMsisdn, systemClock } from '../../domain/index.js';
import {
  type CallOptions,
  chunk,
  type FetchFunction,
  SupplierError,
  type SupplierWarning,
} from '../spec/index.js';
import {
  checkOnelinkV2QueryDate,
  ONELINK_V2_BATCH_LIMIT,
  ONELINK_V2_DEFAULT_BASE_URL,
  ONELINK_V2_ENDPOINTS,
  type OnelinkV2Endpoint,
  type OnelinkV2TransidSequence,
  onelinkV2TransidGenerator,
} from './onelink-v2-protocol.js';
import { withOnelinkV2Signing } from './onelink-v2-signing.js';
import {
  type OnelinkV2CardInfo,
  type OnelinkV2Gprs,
  onelinkV2CardInfoSchema,
  onelinkV2GprsSchema,
  parseOnelinkV2Json,
  unwrapOnelinkV2,
} from './onelink-v2-wire.js';

/** The settings of a OneLink v2 client (one enterprise account). */
export interface OnelinkV2ClientOptions {
  /** The API root with its version (default `https://api.iot.10086.cn/v2`; a bare origin gets `/v2`). */
  baseURL?: string;
  appid: string;
  password: string;
  /** The ability code (ebid) of each endpoint; an endpoint without one cannot be called. */
  ebids: Partial<Record<OnelinkV2Endpoint, string>>;
  /** The transport (a simulator's fetch in tests); defaults to the global fetch. */
  fetch?: FetchFunction;
  clock?: Clock;
  /** Both are documented (请求方式:GET/POST); parameters travel in the query string either way. */
  method?: 'GET' | 'POST';
  /** The transid sequence; defaults to the one shared by the whole process. */
  transidSequence?: OnelinkV2TransidSequence;
  /** Put on errors, for reports. */
  accountId?: string;
}

/** Exactly one kind of number per call (msisdns、iccids、imsis三者必须有且只有一项). */
export type OnelinkV2Numbers = { msisdns: string[] } | { iccids: string[] } | { imsis: string[] };

/** What a batch method returns once every chunk of 100 has been answered. */
export interface OnelinkV2Answer<T> {
  /** The items of every chunk's `result`, in order, keys lower-cased. */
  result: T[];
  warnings: SupplierWarning[];
  /** The parsed body of each call. */
  bodies: unknown[];
}

/** A client of the two OneLink v2 endpoints simdock uses, wire names kept. */
export interface OnelinkV2Client {
  readonly appid: string;
  /** The endpoints that have an ebid configured. */
  readonly endpoints: ReadonlySet<OnelinkV2Endpoint>;
  /** CMIOT_API2111 码号信息批量查询: the other two numbers of each card, 100 per call. */
  batchquerycardinfo(
    params: OnelinkV2Numbers,
    options?: CallOptions,
  ): Promise<OnelinkV2Answer<OnelinkV2CardInfo>>;
  /**
   * CMIOT_API2010 流量信息批量查询: each card's GPRS (KB) on `query_date` (`yyyyMMdd` or
   * `YYYY-MM-DD`, one of the last 7 complete CST days, checked before calling), 100 per call.
   */
  batchgprsusedbydate(
    params: OnelinkV2Numbers & { query_date: string },
    options?: CallOptions,
  ): Promise<OnelinkV2Answer<OnelinkV2Gprs>>;
}

const NUMBER_PARSERS = { msisdns: parseMsisdn, iccids: parseIccid, imsis: parseImsi } as const;
type NumbersName = keyof typeof NUMBER_PARSERS;

/** The API root: a bare origin gets the documented `/v2`, and no trailing slash is kept. */
export function onelinkV2ApiRoot(baseURL: string = ONELINK_V2_DEFAULT_BASE_URL): string {
  const url = new URL(baseURL);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v2';
  return url.toString().replace(/\/+$/, '');
}

/** Creates a OneLink v2 client: the signing decorator adds appid, transid, ebid and token. */
export function createOnelinkV2Client(options: OnelinkV2ClientOptions): OnelinkV2Client {
  const clock = options.clock ?? systemClock;
  const root = onelinkV2ApiRoot(options.baseURL);
  const method = options.method ?? 'GET';
  const signed = withOnelinkV2Signing(options.fetch ?? globalThis.fetch, {
    appid: options.appid,
    password: options.password,
    ebids: options.ebids,
    transid: onelinkV2TransidGenerator(options.appid, {
      clock,
      sequence: options.transidSequence,
    }),
  });
  const endpoints = new Set(ONELINK_V2_ENDPOINTS.filter((endpoint) => options.ebids[endpoint]));

  async function call(
    endpoint: OnelinkV2Endpoint,
    params: Record<string, string>,
    abortSignal: AbortSignal | undefined,
  ): Promise<{ body: unknown; warnings: SupplierWarning[] }> {
    abortSignal?.throwIfAborted();
    const url = new URL(`${root}/${endpoint}`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const response = await signed(url.toString(), { method, signal: abortSignal });
    const text = await response.text();
    abortSignal?.throwIfAborted();
    try {
      return parseOnelinkV2Json(text, response.status);
    } catch (error) {
      if (!response.ok) throw httpError(response.status, text, error);
      throw error;
    }
  }

  async function batch<T>(
    endpoint: OnelinkV2Endpoint,
    numbers: OnelinkV2Numbers,
    extra: Record<string, string>,
    parse: (body: unknown) => T[],
    abortSignal: AbortSignal | undefined,
  ): Promise<OnelinkV2Answer<T>> {
    const [name, values] = numbersOf(numbers);
    const answer: OnelinkV2Answer<T> = { result: [], warnings: [], bodies: [] };
    for (const part of chunk(values, ONELINK_V2_BATCH_LIMIT)) {
      // Numbers are joined with `_` (批量查询多个号码用下划线分隔).
      const { body, warnings } = await call(
        endpoint,
        { ...extra, [name]: part.join('_') },
        abortSignal,
      );
      answer.bodies.push(body);
      answer.warnings.push(...warnings);
      answer.result.push(...parse(body));
    }
    return answer;
  }

  return {
    appid: options.appid,
    endpoints,
    batchquerycardinfo(params, callOptions = {}) {
      return batch(
        'batchquerycardinfo',
        params,
        {},
        (body) => unwrapOnelinkV2(body, onelinkV2CardInfoSchema, options.accountId),
        callOptions.abortSignal,
      );
    },
    async batchgprsusedbydate(params, callOptions = {}) {
      const queryDate = checkOnelinkV2QueryDate(params.query_date, clock.now());
      return batch(
        'batchgprsusedbydate',
        params,
        { query_date: queryDate },
        (body) => unwrapOnelinkV2(body, onelinkV2GprsSchema, options.accountId),
        callOptions.abortSignal,
      );
    },
  };
}

/** The one kind of number given, each checked and normalized (ICCID letters upper-cased). */
function numbersOf(numbers: OnelinkV2Numbers): [NumbersName, string[]] {
  const given = (Object.keys(NUMBER_PARSERS) as NumbersName[]).filter(
    (name) => (numbers as Partial<Record<NumbersName, string[]>>)[name] !== undefined,
  );
  if (given.length !== 1) {
    throw new SupplierError(
      'invalid_argument',
      `OneLink v2 takes exactly one of msisdns, iccids, imsis (got ${given.join(', ') || 'none'})`,
      { retryable: false },
    );
  }
  const name = given[0]!;
  const values = (numbers as Record<NumbersName, string[]>)[name].map((raw) => {
    const parsed = NUMBER_PARSERS[name](raw);
    if (!parsed.ok) throw parsed.error;
    return parsed.value;
  });
  return [name, values];
}

/** An HTTP failure whose body is not a OneLink envelope (the transport maps 429 and 5xx first). */
function httpError(status: number, text: string, cause: unknown): SupplierError {
  const code =
    status === 429
      ? 'supplier_throttled'
      : status >= 500
        ? 'supplier_unavailable'
        : 'supplier_rejected';
  return new SupplierError(code, `OneLink v2 answered HTTP ${status}: ${text.slice(0, 120)}`, {
    httpStatus: status,
    cause,
  });
}
