import { type Clock, SimdockError, systemClock } from '../../domain/index.js';
import { type FetchFunction, readJson, SupplierError } from '../spec/index.js';
import {
  decodeContent,
  encodeContent,
  generateSendkey,
  isValidSendkey,
  M2M_DEFAULT_BASE_URL,
  M2M_DEFAULT_PATHS,
  M2M_MAX_SMS_CHARACTERS,
  M2M_NO_RECORDS,
  M2M_REALTIME_SELECTORS,
  M2M_RECEIVE_MAX,
  M2M_RECEIVE_MIN,
  M2M_SIGNED_FIELDS,
  M2M_SUCCESS,
  type M2mEndpoint,
  type M2mRealtimeSelector,
  m2mError,
  m2mRequestTime,
  m2mSign,
} from './m2m10086-protocol.js';
import {
  firstRecord,
  type M2mEnvelope,
  type M2mRecord,
  m2mInboundMessageId,
  parseEnvelope,
  resultRecords,
} from './m2m10086-wire.js';

export interface M2mClientOptions {
  /** Defaults to the documented `http://api.m2m10086.com:89`. */
  baseUrl?: string;
  partnercode: string;
  servicecode: string;
  password: string;
  /** Overrides for single endpoint paths. */
  paths?: Partial<Record<M2mEndpoint, string>>;
  /** The transport (already rate-limited and counted when built by the adapter). */
  fetch?: FetchFunction;
  clock?: Clock;
  /** For error reports. */
  accountId?: string;
}

export interface M2mCallOptions {
  abortSignal?: AbortSignal;
}

/** A successful answer: the records and the parsed body as received. */
export interface M2mAnswer<T> {
  value: T;
  body: unknown;
}

/** A received SMS (§2.6.3, §3.1.2), content decoded. */
export interface M2mReceivedSms {
  /** Stable id (the platform gives none), identical for a read and a pushed copy. */
  messageId: string;
  mobile: string | null;
  /** Decoded text; the raw text when it was not valid URL encoding. */
  content: string;
  /** The content as the platform sent it. */
  contentRaw: string | null;
  /** `retime` verbatim (CST). */
  retime: string | null;
}

/** The send state of §2.5.3: `-1` waiting, `0` failed, `1` delivered. */
export type M2mSendState = 'pending' | 'failed' | 'delivered' | 'unknown';

const SEND_STATES: Record<string, M2mSendState> = {
  '-1': 'pending',
  '0': 'failed',
  '1': 'delivered',
};

/** Maps a §2.5.3 / §3.1.2 send status to a state. */
export function m2mSendState(status: string | null): M2mSendState {
  return (status !== null && SEND_STATES[status]) || 'unknown';
}

/**
 * A faithful client of m2m10086-api-v3.txt: one method per endpoint, wire names kept in the
 * records it returns (values as text, unknown as null). Failures throw `SupplierError`.
 */
export class M2mClient {
  readonly #options: M2mClientOptions;
  readonly #fetch: FetchFunction;
  readonly #clock: Clock;
  readonly paths: Readonly<Record<M2mEndpoint, string>>;

  constructor(options: M2mClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#clock = options.clock ?? systemClock;
    this.paths = { ...M2M_DEFAULT_PATHS, ...options.paths };
  }

  /** Builds the signed body of a call (exported for tests and for callers that log requests). */
  signedBody(endpoint: M2mEndpoint, fields: Record<string, string | number>) {
    const requesttime = m2mRequestTime(this.#clock.now());
    const values = M2M_SIGNED_FIELDS[endpoint].map((name) => {
      const value = fields[name];
      if (value === undefined) throw new RangeError(`${endpoint} needs ${name}`);
      return value;
    });
    const sign = m2mSign([this.#options.password, requesttime, ...values]);
    return {
      partnercode: this.#options.partnercode,
      servicecode: this.#options.servicecode,
      requesttime,
      sign,
      ...fields,
    };
  }

  /** Posts one call; answers the envelope on `0000` and throws the mapped error otherwise. */
  async call(
    endpoint: M2mEndpoint,
    fields: Record<string, string | number>,
    options: M2mCallOptions = {},
    accept: readonly string[] = [],
  ): Promise<{ envelope: M2mEnvelope; body: unknown }> {
    options.abortSignal?.throwIfAborted();
    const base = (this.#options.baseUrl ?? M2M_DEFAULT_BASE_URL).replace(/\/+$/, '');
    const response = await this.#fetch(base + this.paths[endpoint], {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(this.signedBody(endpoint, fields)),
      signal: options.abortSignal,
    });
    const body = await readJson(response);
    const envelope = parseEnvelope(body);
    if (envelope.status !== M2M_SUCCESS && !accept.includes(envelope.status)) {
      const message = envelope.message == null ? null : String(envelope.message);
      const error = m2mError(envelope.status, message, this.#options.accountId);
      error.details.endpoint = endpoint;
      throw error;
    }
    return { envelope, body };
  }

  async #record(
    endpoint: M2mEndpoint,
    fields: Record<string, string | number>,
    options?: M2mCallOptions,
  ): Promise<M2mAnswer<M2mRecord>> {
    const { envelope, body } = await this.call(endpoint, fields, options);
    return { value: firstRecord(envelope.result), body };
  }

  /** §2.1 M2MSearchInfo: card info by card number, ICCID, IMSI or IMEI. */
  searchInfo(input: { key: string }, options?: M2mCallOptions) {
    return this.#record('searchInfo', { key: input.key }, options);
  }

  /**
   * §2.2 M2MSearchTermInfo: realtime info. The `status` field holds at most 10 characters, so at
   * most five selectors fit in one call (`1_2_3_4_5`).
   */
  searchTermInfo(
    input: { key: string; selectors: readonly M2mRealtimeSelector[] },
    options?: M2mCallOptions,
  ) {
    const status = [...new Set(input.selectors)]
      .map((selector) => M2M_REALTIME_SELECTORS[selector])
      .join('_');
    if (status === '' || status.length > 10) {
      throw invalid(`M2MSearchTermInfo takes 1 to 5 selectors, got "${status}"`);
    }
    return this.#record('searchTermInfo', { key: input.key, status }, options);
  }

  /**
   * §2.3 M2MSmsSend. `content` is plain text: the client URL-encodes it and signs the encoded
   * form. Pass your own `sendkey` to make a retried send idempotent (the platform answers 0024
   * to a repeated key); otherwise a fresh one is generated. Answers the sendkey used.
   */
  async smsSend(
    input: { mobile: string; content: string; mobiletype?: '0' | '1'; sendkey?: string },
    options?: M2mCallOptions,
  ): Promise<M2mAnswer<{ sendkey: string }>> {
    const sendkey = checkSms(input.content, input.sendkey);
    const mobiletype = input.mobiletype ?? '0';
    checkMobile(input.mobile, mobiletype === '0');
    const { body } = await this.call(
      'smsSend',
      { sendkey, mobiletype, mobile: input.mobile, content: encodeContent(input.content) },
      options,
    );
    return { value: { sendkey }, body };
  }

  /**
   * §2.4 M2MSmsSendFmt: a send with a CMPP message format (`fmt`: 0 ASCII, 4 binary, 8 UCS2,
   * 15 GB…), to IoT card numbers only.
   */
  async smsSendFmt(
    input: { mobile: string; content: string; fmt: number; sendkey?: string },
    options?: M2mCallOptions,
  ): Promise<M2mAnswer<{ sendkey: string }>> {
    const sendkey = checkSms(input.content, input.sendkey);
    checkMobile(input.mobile, true);
    if (!Number.isInteger(input.fmt) || input.fmt < 0 || input.fmt > 99) {
      throw invalid(`fmt must be an unsigned number of up to 2 digits, got ${input.fmt}`);
    }
    // §2.4.1 types fmt as Int and the example sends it unquoted.
    const { body } = await this.call(
      'smsSendFmt',
      { sendkey, fmt: input.fmt, mobile: input.mobile, content: encodeContent(input.content) },
      options,
    );
    return { value: { sendkey }, body };
  }

  /** §2.5 M2MHistorySend: the result of one send, with its state decoded. */
  async smsSendResult(input: { sendkey: string }, options?: M2mCallOptions) {
    const answer = await this.#record('smsSendResult', { sendkey: input.sendkey }, options);
    return { ...answer, state: m2mSendState(answer.value.status ?? null) };
  }

  /**
   * §2.6 received SMS, 10 to 50 per read. The platform hands each reply out once only: a read
   * that is not stored is a message lost. When `persist` is given, the client awaits it with the
   * decoded messages before returning, so nothing else runs between the read and the store; a
   * content that is not valid URL encoding is kept raw rather than failing the whole read.
   */
  async smsReceive(
    input: { num: number; persist?: (messages: M2mReceivedSms[]) => Promise<void> },
    options?: M2mCallOptions,
  ): Promise<M2mAnswer<M2mReceivedSms[]>> {
    if (
      !Number.isInteger(input.num) ||
      input.num < M2M_RECEIVE_MIN ||
      input.num > M2M_RECEIVE_MAX
    ) {
      throw invalid(`num must be ${M2M_RECEIVE_MIN}–${M2M_RECEIVE_MAX}, got ${input.num}`);
    }
    // 0019 (no records) is an empty read, not a failure.
    const { envelope, body } = await this.call('smsReceive', { num: String(input.num) }, options, [
      M2M_NO_RECORDS,
    ]);
    const messages = resultRecords(envelope.result).map(receivedSms);
    if (input.persist) {
      try {
        await input.persist(messages);
      } catch (error) {
        // The platform will not hand these out again: keep them in the error for a last resort.
        throw new SimdockError(
          'internal',
          `storing ${messages.length} replies read from m2m10086 failed; they are in details.messages`,
          { cause: error, details: { messages }, retryable: false },
        );
      }
    }
    return { value: messages, body };
  }

  /** §2.7 M2MSearchMonthFlow: one month's usage (KB) within the last 12 months. */
  searchMonthFlow(input: { key: string; month: string }, options?: M2mCallOptions) {
    if (!/^\d{4}-?(0[1-9]|1[0-2])$/.test(input.month)) {
      throw invalid(`month must be yyyyMM or yyyy-MM, got "${input.month}"`);
    }
    return this.#record('searchMonthFlow', { key: input.key, month: input.month }, options);
  }

  /** §2.8 M2MSurplusFlow: the remaining allowance (KB). */
  surplusFlow(input: { key: string }, options?: M2mCallOptions) {
    return this.#record('surplusFlow', { key: input.key }, options);
  }

  /** §2.9 M2MMacState: starts a device-state diagnosis (the result comes later, §2.10). */
  macState(input: { cardcode: string }, options?: M2mCallOptions) {
    return this.#record('macState', { cardcode: input.cardcode }, options);
  }

  /** §2.10 M2MMacStateResult: the last diagnosis (`macstatus` 0 unknown, 1 on; `lasttime`). */
  macStateResult(input: { cardcode: string }, options?: M2mCallOptions) {
    return this.#record('macStateResult', { cardcode: input.cardcode }, options);
  }

  /** §2.11 M2Mlocation: LBS position of a card (the document leaves the result "reserved"). */
  location(input: { key: string }, options?: M2mCallOptions) {
    return this.#record('location', { key: input.key }, options);
  }

  /** §2.12 M2MLbsInfo: the position of a cell (`mnc` 0 China Mobile, 1 China Unicom). */
  lbsInfo(
    input: { mcc: string; mnc: string; lac: string; cellid: string },
    options?: M2mCallOptions,
  ) {
    for (const [name, value, length] of [
      ['mcc', input.mcc, 4],
      ['mnc', input.mnc, 1],
      ['lac', input.lac, 6],
      ['cellid', input.cellid, 6],
    ] as const) {
      if (value === '' || value.length > length) {
        throw invalid(`${name} must be 1–${length} characters, got "${value}"`);
      }
    }
    return this.#record('lbsInfo', { ...input }, options);
  }
}

function receivedSms(record: M2mRecord): M2mReceivedSms {
  const contentRaw = record.content ?? null;
  return {
    messageId: m2mInboundMessageId(record.mobile ?? null, record.retime ?? null, contentRaw),
    mobile: record.mobile ?? null,
    content: contentRaw === null ? '' : (decodeContent(contentRaw) ?? contentRaw),
    contentRaw,
    retime: record.retime ?? null,
  };
}

function checkSms(content: string, sendkey: string | undefined): string {
  if (content.length === 0 || [...content].length > M2M_MAX_SMS_CHARACTERS) {
    throw invalid(
      `SMS content must be 1–${M2M_MAX_SMS_CHARACTERS} characters, got ${[...content].length}`,
    );
  }
  if (sendkey !== undefined && !isValidSendkey(sendkey)) {
    throw invalid(`sendkey must be 16 letters or digits, got "${sendkey}"`);
  }
  return sendkey ?? generateSendkey();
}

function checkMobile(mobile: string, iotOnly: boolean): void {
  // IoT card numbers are 13 digits (§2.3.1 mobile length 13); §2.4 sends to IoT cards only.
  const pattern = iotOnly ? /^\d{13}$/ : /^\d{5,13}$/;
  if (!pattern.test(mobile)) {
    throw invalid(
      iotOnly
        ? `the destination must be a 13-digit IoT card number, got "${mobile}"`
        : `the destination must be a phone number, got "${mobile}"`,
    );
  }
}

function invalid(message: string): SupplierError {
  return new SupplierError('invalid_argument', message, { retryable: false });
}

/** Creates a client for one M2M platform account. */
export function createM2mClient(options: M2mClientOptions): M2mClient {
  return new M2mClient(options);
}
