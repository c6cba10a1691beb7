import { randomInt, randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../../domain/index.js';
import { type FetchFunction, isRecord, readJson, SupplierError } from '../spec/index.js';
import {
  readUnicomGwAnswer,
  records,
  resolveUnicomGwPaths,
  text,
  UNICOM_GW_DEFAULT_BASE_URL,
  UNICOM_GW_DETAILS_BATCH,
  UNICOM_GW_SESSION_BATCH,
  type UnicomGwData,
  type UnicomGwOperation,
  type UnicomGwOverride,
  type UnicomGwPaths,
  unicomGwTimestamp,
  unicomGwToken,
  unicomGwTransId,
} from './unicom-gw-protocol.js';

export interface UnicomGwClientOptions {
  baseUrl?: string;
  appId: string;
  appSecret: string;
  openId: string;
  /** Per-operation path overrides (`wsGetTerminalDetails: /api/...`). */
  paths?: Record<string, string>;
  /** ICCIDs per `wsGetTerminalDetails` call (default 50, the documented maximum). */
  detailsBatch?: number;
  /** ICCIDs per `wsGetSessionInfo` call (default 50, a guess). */
  sessionBatch?: number;
  /** The transport (signing is done here, in the body; retry and rate limit in the transport). */
  fetch: FetchFunction;
  clock?: Clock;
  accountId?: string;
  /** The first `trans_id`'s 6 digits (tests); later calls count up from it. */
  random?: () => number;
}

/** What a call returned: the operation's `data` and the raw body. */
export interface UnicomGwAnswer<T> {
  value: T;
  body: unknown;
}

/** One terminal of `wsGetTerminalDetails` (fields named in the notes; the rest **guess**). */
export interface UnicomGwTerminal {
  iccid: string | null;
  /** Not in the notes' field list; read when the gateway sends Jasper's name (**guess**). */
  msisdn: string | null;
  imsi: string | null;
  imei: string | null;
  simStatus: string | null;
  /** MB this billing cycle (the notes). */
  monthToDateDataUsage: string | null;
  /** 0 不需实名未实名, 1 需要实名未实名, 2 需要实名已实名, 3 不需要实名已实名. */
  realNameStatus: string | null;
  ratePlan: string | null;
  dateActivated: string | null;
  /** changeType 7's current value; Jasper's terminal field name (**guess**). */
  overageLimitOverride: string | null;
  /** Whether the rate plan's usage limit has cut data; Jasper's field name (**guess**). */
  overageLimitReached: boolean | null;
  /** A per-terminal failure inside a successful batch (**guess**: resultCode + resultMsg). */
  resultCode: string | null;
  resultMsg: string | null;
  raw: Record<string, unknown>;
}

export function readTerminal(item: Record<string, unknown>): UnicomGwTerminal {
  return {
    iccid: text(item, 'iccid')?.toUpperCase() ?? null,
    msisdn: text(item, 'msisdn'),
    imsi: text(item, 'imsi'),
    imei: text(item, 'imei'),
    simStatus: text(item, 'simStatus') ?? text(item, 'status'),
    monthToDateDataUsage: text(item, 'monthToDateDataUsage') ?? text(item, 'monthToDateUsage'),
    realNameStatus: text(item, 'realNameStatus'),
    ratePlan: text(item, 'ratePlan'),
    dateActivated: text(item, 'dateActivated'),
    overageLimitOverride: text(item, 'overageLimitOverride'),
    overageLimitReached: readBoolean(item.overageLimitReached),
    resultCode: text(item, 'resultCode'),
    resultMsg: text(item, 'resultMsg') ?? text(item, 'resultDesc'),
    raw: item,
  };
}

function readBoolean(value: unknown): boolean | null {
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  return null;
}

/** One session of `wsGetSessionInfo` (Jasper's GetSessionInfo names, **guess** for the gateway). */
export interface UnicomGwSession {
  iccid: string | null;
  ipAddress: string | null;
  ipv6Address: string | null;
  dateSessionStarted: string | null;
  dateSessionEnded: string | null;
  apn: string | null;
  rat: string | null;
  raw: Record<string, unknown>;
}

/** One entry of `wsGetTerminalAuditTrail` (Jasper's GetTerminalAuditTrail names, **guess**). */
export interface UnicomGwAuditEntry {
  field: string | null;
  priorValue: string | null;
  value: string | null;
  effectiveDate: string | null;
  status: string | null;
  userName: string | null;
  raw: Record<string, unknown>;
}

/**
 * A typed client of the gateway: one method per operation, wire names kept, the envelope built
 * and signed on every call, the documented batch limit enforced before a call leaves.
 */
export class UnicomGwClient {
  readonly paths: UnicomGwPaths;
  readonly baseUrl: string;
  readonly detailsBatch: number;
  readonly sessionBatch: number;
  #options: UnicomGwClientOptions;
  #clock: Clock;
  /**
   * The 6 digits of `trans_id`: a random start, then one more per call, so two calls of this
   * client in the same millisecond never share a trans_id (the gateway refuses a repeat).
   */
  #sequence: number;

  constructor(options: UnicomGwClientOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.paths = resolveUnicomGwPaths(options.paths);
    this.baseUrl = (options.baseUrl ?? UNICOM_GW_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.detailsBatch = Math.min(
      options.detailsBatch ?? UNICOM_GW_DETAILS_BATCH,
      UNICOM_GW_DETAILS_BATCH,
    );
    this.sessionBatch = options.sessionBatch ?? UNICOM_GW_SESSION_BATCH;
    this.#sequence = options.random ? options.random() : randomInt(1_000_000);
  }

  /** The signed envelope for one call (exported for tests and for servers of this API). */
  envelope(fields: Record<string, unknown>): Record<string, unknown> {
    const { appId, appSecret, openId } = this.#options;
    const timestamp = unicomGwTimestamp(this.#clock.now());
    const sequence = this.#sequence;
    this.#sequence = (this.#sequence + 1) % 1_000_000;
    const transId = unicomGwTransId(timestamp, () => sequence);
    return {
      app_id: appId,
      timestamp,
      trans_id: transId,
      token: unicomGwToken({ appId, timestamp, transId, appSecret }),
      data: { messageId: randomUUID().replaceAll('-', ''), openId, version: '1.0', ...fields },
    };
  }

  /** Posts one operation and checks both the gateway's and the operation's codes. */
  async call(
    operation: UnicomGwOperation,
    fields: Record<string, unknown>,
    abortSignal?: AbortSignal,
  ): Promise<UnicomGwAnswer<UnicomGwData>> {
    abortSignal?.throwIfAborted();
    const response = await this.#options.fetch(`${this.baseUrl}${this.paths[operation]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(this.envelope(fields)),
      signal: abortSignal,
    });
    const body = await readJson(response);
    if (!response.ok && !isRecord(body)) {
      throw new SupplierError(
        'supplier_bad_response',
        `unicom-gw answered HTTP ${response.status}`,
        {
          httpStatus: response.status,
          accountId: this.#options.accountId,
        },
      );
    }
    return { value: readUnicomGwAnswer(body, this.#options.accountId), body };
  }

  /** `wsGetTerminalDetails`: up to 50 ICCIDs (the notes). */
  async getTerminalDetails(
    iccids: string[],
    abortSignal?: AbortSignal,
  ): Promise<UnicomGwAnswer<UnicomGwTerminal[]>> {
    this.#checkBatch('wsGetTerminalDetails', iccids, this.detailsBatch);
    const answer = await this.call('wsGetTerminalDetails', { iccids }, abortSignal);
    return { value: records(answer.value, 'terminals').map(readTerminal), body: answer.body };
  }

  /**
   * `wsEditTerminal`: one card, `changeType` + `targetValue`, `asynchronous` 0/1 and an optional
   * `effectiveDate` (the notes). The answer only says the change was accepted.
   */
  async editTerminal(
    options: {
      iccid: string;
      changeType: string;
      targetValue: string;
      asynchronous: '0' | '1';
      effectiveDate?: string;
    },
    abortSignal?: AbortSignal,
  ): Promise<UnicomGwAnswer<UnicomGwData>> {
    const { effectiveDate, ...fields } = options;
    return this.call(
      'wsEditTerminal',
      { ...fields, ...(effectiveDate ? { effectiveDate } : {}) },
      abortSignal,
    );
  }

  /** changeType 7: the usage-limit override (DEFAULT keeps the rate plan's cap). */
  async setUsageLimitOverride(
    iccid: string,
    override: UnicomGwOverride,
    asynchronous: '0' | '1',
    abortSignal?: AbortSignal,
  ): Promise<UnicomGwAnswer<UnicomGwData>> {
    return this.editTerminal(
      { iccid, changeType: '7', targetValue: override, asynchronous },
      abortSignal,
    );
  }

  /**
   * `wsGetTerminalUsage`: one card's total in a closed billing cycle, `billingCycle` `yyyyMM`.
   * The usage field is not in the notes: Jasper's names are read (**guess**), in MB.
   */
  async getTerminalUsage(
    iccid: string,
    billingCycle: string,
    abortSignal?: AbortSignal,
  ): Promise<UnicomGwAnswer<{ dataUsage: string | null; raw: UnicomGwData }>> {
    const answer = await this.call('wsGetTerminalUsage', { iccid, billingCycle }, abortSignal);
    const data = answer.value;
    const dataUsage =
      text(data, 'dataUsage') ?? text(data, 'totalDataUsage') ?? text(data, 'billableDataUsage');
    return { value: { dataUsage, raw: data }, body: answer.body };
  }

  /**
   * `wsGetModifiedTerminals`: the ICCIDs changed since a time, page by page; without `since`,
   * every terminal of the account (**guess**: Jasper's GetModifiedTerminals, `since` as an
   * ISO 8601 time with offset, `pageNumber` from 1, answers `iccids` and `totalPages`).
   */
  async getModifiedTerminals(
    options: { since?: number; pageNumber: number },
    abortSignal?: AbortSignal,
  ): Promise<UnicomGwAnswer<{ iccids: string[]; totalPages: number | null }>> {
    const fields: Record<string, unknown> = { pageNumber: String(options.pageNumber) };
    if (options.since !== undefined) fields.since = isoCst(options.since);
    const answer = await this.call('wsGetModifiedTerminals', fields, abortSignal);
    const raw = answer.value.iccids;
    const iccids = Array.isArray(raw)
      ? raw.map((entry) => (isRecord(entry) ? text(entry, 'iccid') : String(entry).trim()))
      : [];
    const pages = Number(text(answer.value, 'totalPages'));
    return {
      value: {
        iccids: iccids
          .filter((iccid): iccid is string => !!iccid)
          .map((iccid) => iccid.toUpperCase()),
        totalPages: Number.isInteger(pages) && pages >= 0 ? pages : null,
      },
      body: answer.body,
    };
  }

  /** `wsGetSessionInfo`: each card's current or last data session (**guess** shape). */
  async getSessionInfo(
    iccids: string[],
    abortSignal?: AbortSignal,
  ): Promise<UnicomGwAnswer<UnicomGwSession[]>> {
    this.#checkBatch('wsGetSessionInfo', iccids, this.sessionBatch);
    const answer = await this.call('wsGetSessionInfo', { iccids }, abortSignal);
    const list = records(answer.value, 'sessionInfo');
    return {
      value: (list.length ? list : records(answer.value, 'sessions')).map((item) => ({
        iccid: text(item, 'iccid')?.toUpperCase() ?? null,
        ipAddress: text(item, 'ipAddress'),
        ipv6Address: text(item, 'ipv6Address'),
        dateSessionStarted: text(item, 'dateSessionStarted'),
        dateSessionEnded: text(item, 'dateSessionEnded'),
        apn: text(item, 'apn') ?? text(item, 'apnName'),
        rat: text(item, 'ratType') ?? text(item, 'rat'),
        raw: item,
      })),
      body: answer.body,
    };
  }

  /** `wsGetTerminalAuditTrail`: one card's changes, `daysOfHistory` back, page by page (**guess**). */
  async getTerminalAuditTrail(
    options: { iccid: string; daysOfHistory: number; pageNumber: number },
    abortSignal?: AbortSignal,
  ): Promise<UnicomGwAnswer<{ entries: UnicomGwAuditEntry[]; totalPages: number | null }>> {
    const answer = await this.call(
      'wsGetTerminalAuditTrail',
      {
        iccid: options.iccid,
        daysOfHistory: String(options.daysOfHistory),
        pageNumber: String(options.pageNumber),
      },
      abortSignal,
    );
    const list = records(answer.value, 'terminalAuditTrail');
    const pages = Number(text(answer.value, 'totalPages'));
    return {
      value: {
        entries: (list.length ? list : records(answer.value, 'auditTrails')).map((item) => ({
          field: text(item, 'field'),
          priorValue: text(item, 'priorValue'),
          value: text(item, 'value'),
          effectiveDate: text(item, 'effectiveDate'),
          status: text(item, 'status'),
          userName: text(item, 'userName'),
          raw: item,
        })),
        totalPages: Number.isInteger(pages) && pages >= 0 ? pages : null,
      },
      body: answer.body,
    };
  }

  #checkBatch(operation: string, iccids: string[], limit: number): void {
    if (iccids.length === 0 || iccids.length > limit) {
      throw new SupplierError(
        'invalid_argument',
        `unicom-gw ${operation} takes 1 to ${limit} ICCIDs, got ${iccids.length}`,
        { retryable: false },
      );
    }
  }
}

/** ISO 8601 in CST with its offset: `2024-11-26T10:00:00+08:00`. */
export function isoCst(instant: number): string {
  const shifted = new Date(Math.floor(instant / 1000) * 1000 + 8 * 3_600_000).toISOString();
  return `${shifted.slice(0, 19)}+08:00`;
}
