import { type Clock, cstMonth, SimdockError, systemClock } from '../../domain/index.js';
import { type FetchFunction, readJson, SupplierError } from '../spec/index.js';
import { type QuectelCardListRow, readCardListRows } from './quectel-card-list-file.js';
import {
  QUECTEL_METHODS,
  QUECTEL_ROUTER_URL,
  type QuectelMethodName,
  type QuectelParamValue,
  quectelError,
  quectelParams,
  withQuectelSigning,
} from './quectel-protocol.js';
import { envelopeSchema, parseWire } from './quectel-wire.js';

/** What `createQuectel` needs. */
export interface QuectelClientOptions {
  /** The router URL; defaults to `https://api.quectel.com/openapi/router`. */
  baseURL?: string;
  appKey: string;
  secret: string;
  /** The transport (tests pass a simulator's fetch); signing is added on top. */
  fetch?: FetchFunction;
  clock?: Clock;
  /** Named in errors, so logs tell accounts apart. */
  accountId?: string;
}

/** Options every client method takes. */
export interface QuectelCallOptions {
  abortSignal?: AbortSignal;
}

/** A card named by exactly one of its numbers, as the single-card methods want it. */
export type QuectelCardSelector =
  | { msisdn: string; iccid?: undefined }
  | { iccid: string; msisdn?: undefined };

/** Several cards named by one kind of number (the batch methods take one kind per call). */
export type QuectelCardsSelector =
  | { msisdns: string[]; iccids?: undefined }
  | { iccids: string[]; msisdns?: undefined };

/** A parsed answer body; `resultCode` was 0. */
export type QuectelBody = Record<string, unknown>;

/** The signed transport and the envelope rules shared by every method. */
export class QuectelClientCore {
  readonly baseURL: string;
  readonly clock: Clock;
  readonly accountId: string | undefined;
  readonly #fetch: FetchFunction;

  constructor(options: QuectelClientOptions) {
    this.baseURL = options.baseURL ?? QUECTEL_ROUTER_URL;
    this.clock = options.clock ?? systemClock;
    this.accountId = options.accountId;
    this.#fetch = withQuectelSigning(options.fetch ?? globalThis.fetch, {
      appKey: options.appKey,
      secret: options.secret,
      clock: this.clock,
    });
  }

  async #post(
    method: QuectelMethodName,
    params: Record<string, QuectelParamValue>,
    options: QuectelCallOptions,
  ): Promise<Response> {
    options.abortSignal?.throwIfAborted();
    const body = new URLSearchParams(quectelParams({ ...params, method: QUECTEL_METHODS[method] }));
    const response = await this.#fetch(this.baseURL, {
      method: 'POST',
      body,
      signal: options.abortSignal,
    });
    options.abortSignal?.throwIfAborted();
    return response;
  }

  /**
   * Calls one method and returns the body when `resultCode` is 0; any other code is thrown as a
   * typed error (success is decided by `resultCode` alone, §1.7 (6)).
   */
  async call(
    method: QuectelMethodName,
    params: Record<string, QuectelParamValue> = {},
    options: QuectelCallOptions = {},
    accept?: (body: QuectelBody) => boolean,
  ): Promise<QuectelBody> {
    const response = await this.#post(method, params, options);
    const json = await readJson(response);
    return this.checkEnvelope(json, accept);
  }

  /** Applies the envelope rules to a parsed body. */
  checkEnvelope(json: unknown, accept?: (body: QuectelBody) => boolean): QuectelBody {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new SupplierError('supplier_bad_response', 'the supplier answered without an object', {
        retryable: true,
        details: { body: json },
      });
    }
    const body = json as QuectelBody;
    const envelope = parseWire(envelopeSchema, body);
    if (envelope.resultCode === null) {
      throw new SupplierError('supplier_bad_response', 'the answer has no resultCode', {
        retryable: true,
      });
    }
    if (envelope.resultCode !== 0 && !accept?.(body)) {
      throw quectelError(envelope.resultCode, envelope.errorMessage, this.accountId);
    }
    return body;
  }

  /** Calls a method whose success answer may be a bare JSON value (the §2.2.5 example). */
  async callRaw(
    method: QuectelMethodName,
    params: Record<string, QuectelParamValue> = {},
    options: QuectelCallOptions = {},
  ): Promise<unknown> {
    const response = await this.#post(method, params, options);
    return readJson(response);
  }

  /**
   * Calls a download method (§2.2.3, §2.2.4): a zip on success, the JSON envelope on failure.
   * The rows are streamed out of the zip as they arrive.
   */
  async download(
    method: 'fileDown' | 'fileLastDown',
    params: Record<string, QuectelParamValue>,
    options: QuectelCallOptions,
  ): Promise<AsyncGenerator<QuectelCardListRow>> {
    const response = await this.#post(method, params, options);
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json') || type.startsWith('text/')) {
      this.checkEnvelope(await readJson(response));
      throw new SupplierError('supplier_bad_response', 'the download answered JSON, not a zip', {
        retryable: true,
      });
    }
    if (!response.body) {
      throw new SupplierError('supplier_bad_response', 'the download has no body', {
        retryable: true,
      });
    }
    return readCardListRows(response.body);
  }

  /**
   * Checks a `yyyyMM` month against "the last 12 months including the current one" (§1.8 (1)),
   * before any call is spent.
   */
  flowMonth(month: string): string {
    const compact = month.replace('-', '');
    if (!/^\d{6}$/.test(compact)) {
      throw new SimdockError('invalid_argument', `month "${month}" must be yyyyMM`);
    }
    const current = cstMonth(this.clock.now()).replace('-', '');
    const index = (value: string) => Number(value.slice(0, 4)) * 12 + Number(value.slice(4, 6));
    const back = index(current) - index(compact);
    if (back < 0 || back > 11) {
      throw new SimdockError(
        'invalid_argument',
        `month ${compact} is outside the last 12 months (quectel answers only those)`,
      );
    }
    return compact;
  }
}

/** Throws `invalid_argument` unless `condition` holds. */
export function requireArgument(condition: boolean, message: string): void {
  if (!condition) throw new SimdockError('invalid_argument', message);
}

/** The page size to send: 1–1000 (§2.1.4 "最大 1000"). */
export function checkedPageSize(pageSize: number | undefined): number | undefined {
  if (pageSize === undefined) return undefined;
  requireArgument(
    Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 1000,
    `pageSize must be 1–1000, got ${pageSize}`,
  );
  return pageSize;
}
