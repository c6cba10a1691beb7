import { type Clock, systemClock } from '../../domain/index.js';
import {
  type FetchFunction,
  SupplierError,
  type SupplierRuntime,
  supplierTransport,
} from '../spec/index.js';
import {
  assertTelecom5gOk,
  parseTelecom5gAnswer,
  TELECOM_5G_BATCH_LIMIT,
  TELECOM_5G_DEFAULT_BASE_URL,
  TELECOM_5G_DEFAULT_PATHS,
  type Telecom5gAnswer,
  type Telecom5gOperation,
  telecom5gSign,
  telecom5gTimestamp,
} from './telecom-5g-protocol.js';

export interface Telecom5gClientOptions extends SupplierRuntime {
  accountId: string;
  baseUrl?: string;
  appKey: string;
  secretKey: string;
  /** 群组管理 → 企业 id; BQ018 needs it. */
  custNumber: string;
  /** Path overrides by operation name. */
  paths?: Partial<Record<Telecom5gOperation, string>>;
  /** Numbers per batch call (default 100). */
  batchSize?: number;
}

/**
 * Signs each call: `AppKey`, `Timestamp` (GMT, computed per request) and `Sign` over the
 * sorted query, the exact body sent, the secret and the timestamp.
 */
export function withTelecom5gSigning(
  fetchFunction: FetchFunction,
  credentials: { appKey: string; secretKey: string; clock?: Clock },
): FetchFunction {
  const clock = credentials.clock ?? systemClock;
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = typeof init?.body === 'string' ? init.body : '';
    const timestamp = telecom5gTimestamp(clock.now());
    const headers = new Headers(init?.headers);
    headers.set('AppKey', credentials.appKey);
    headers.set('Timestamp', timestamp);
    headers.set(
      'Sign',
      telecom5gSign({
        query: Object.fromEntries(url.searchParams),
        body,
        secretKey: credentials.secretKey,
        timestamp,
      }),
    );
    return fetchFunction(input, { ...init, headers });
  };
}

/** Numbers of one batch call, by the identifier they are: accessNumber seen, the others guess. */
export interface Telecom5gNumbers {
  accessNumber?: string[];
  iccid?: string[];
  imsi?: string[];
}

interface CallOptions {
  abortSignal?: AbortSignal;
}

/** One typed method per 5G CMP operation, wire names kept, batch limits checked before a call. */
export class Telecom5gClient {
  readonly accountId: string;
  readonly batchSize: number;
  readonly #baseUrl: string;
  readonly #custNumber: string;
  readonly #paths: Record<Telecom5gOperation, string>;
  readonly #fetch: FetchFunction;

  constructor(options: Telecom5gClientOptions) {
    this.accountId = options.accountId;
    this.batchSize = options.batchSize ?? TELECOM_5G_BATCH_LIMIT;
    this.#baseUrl = (options.baseUrl ?? TELECOM_5G_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.#custNumber = options.custNumber;
    this.#paths = { ...TELECOM_5G_DEFAULT_PATHS, ...options.paths };
    this.#fetch = withTelecom5gSigning(supplierTransport(options), {
      appKey: options.appKey,
      secretKey: options.secretKey,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  async #call(
    operation: Telecom5gOperation,
    request: {
      body?: Record<string, unknown>;
      query?: Record<string, string>;
      accessNumber?: string;
    },
    options: CallOptions,
  ): Promise<Telecom5gAnswer> {
    options.abortSignal?.throwIfAborted();
    let path = this.#paths[operation];
    if (request.accessNumber !== undefined) {
      path = path.replace('{access_number}', encodeURIComponent(request.accessNumber));
    }
    const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const response = await this.#fetch(`${this.#baseUrl}${path}${query}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { body, headers: { 'content-type': 'application/json;charset=UTF-8' } }),
      ...(options.abortSignal ? { signal: options.abortSignal } : {}),
    });
    const answer = parseTelecom5gAnswer(await response.text(), response.status);
    assertTelecom5gOk(answer, this.accountId);
    return answer;
  }

  #batch(numbers: Telecom5gNumbers): Record<string, unknown> {
    const count = Object.values(numbers).reduce((sum, list) => sum + (list?.length ?? 0), 0);
    if (count < 1 || count > this.batchSize) {
      throw new SupplierError(
        'invalid_argument',
        `telecom-5g takes 1 to ${this.batchSize} numbers a call, not ${count}`,
        { retryable: false },
      );
    }
    return { custNumber: this.#custNumber, ...numbers };
  }

  /** BQ018: identities and details. */
  batchQrySimInfo(numbers: Telecom5gNumbers, options: CallOptions = {}) {
    return this.#call('batchQrySimInfo', { body: this.#batch(numbers) }, options);
  }

  /** BQ020: statuses. */
  batchQrySimStatus(numbers: Telecom5gNumbers, options: CallOptions = {}) {
    return this.#call('batchQrySimStatus', { body: this.#batch(numbers) }, options);
  }

  /** UQ013 by day (unit `MB`). guess: the day field is `date`, yyyyMMdd. */
  batchQryFlowByDate(numbers: Telecom5gNumbers, date: string, options: CallOptions = {}) {
    return this.#call('batchQryFlowByDate', { body: { ...this.#batch(numbers), date } }, options);
  }

  /** UQ013 by month (unit `MB`; seen ×1 answering `month` yyyyMM). */
  batchQryFlowByMonth(numbers: Telecom5gNumbers, month: string, options: CallOptions = {}) {
    return this.#call('batchQryFlowByMonth', { body: { ...this.#batch(numbers), month } }, options);
  }

  /**
   * LC002 停机 (19) / 复机 (20). `acctCd` must be sent, empty ("文档中没有，请求示例中有
   * 不传入会报错").
   */
  disabledNumberService(accessNumber: string, orderTypeId: string, options: CallOptions = {}) {
    return this.#call(
      'disabledNumberService',
      { body: { access_number: accessNumber, orderTypeId, acctCd: '' } },
      options,
    );
  }

  /** 强制激活 of a 待激活 card. */
  requestServActive(accessNumber: string, options: CallOptions = {}) {
    return this.#call('requestServActive', { body: { access_number: accessNumber } }, options);
  }

  /** BA005 达量断网. guess: `quota` in whole MB, `0` on cancel (as the 4G CMP). */
  offNetAction(
    accessNumber: string,
    change: { action: string; quotaMb: number; type: string },
    options: CallOptions = {},
  ) {
    return this.#call(
      'offNetAction',
      {
        body: {
          access_number: accessNumber,
          action: change.action,
          quota: change.action === '3' ? '0' : String(change.quotaMb),
          type: change.type,
        },
      },
      options,
    );
  }

  /** LC005 status history. */
  cradStatus(accessNumber: string, options: CallOptions = {}) {
    return this.#call('cradStatus', { body: { access_number: accessNumber } }, options);
  }

  /** RD001 diagnosis: a GET with the number in the path. */
  diagnosis(accessNumber: string, options: CallOptions = {}) {
    return this.#call('diagnosis', { accessNumber }, options);
  }
}
