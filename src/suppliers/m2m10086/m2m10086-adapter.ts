import { createHash } from 'node:crypto';
import { type Clock, compactDate, kbToBytes, lastMonths, systemClock } from '../../domain/index.js';
import {
  type BatchResult,
  type CallOptions,
  type Capability,
  type CardLocation,
  type CardRef,
  type CardsOptions,
  type InboundSms,
  type ItemResult,
  type MonthlyUsageOptions,
  missingIdentifierItem,
  type ReadInboundSmsOptions,
  type ReadInboundSmsResult,
  type SendSmsOptions,
  type SupplierAdapterV1,
  type SupplierCard,
  SupplierError,
  type SupplierLimits,
  type SupplierRuntime,
  type SupplierWarning,
  supplierTransport,
  type UsageValue,
} from '../spec/index.js';
import { M2mClient, type M2mReceivedSms, type M2mSendState } from './m2m10086-client.js';
import {
  deviceStateOf,
  keyOf,
  locationOf,
  type M2mDiagnosis,
  type M2mStatusValue,
  m2mCardStatus,
} from './m2m10086-mapping.js';
import {
  M2M_MAX_SMS_CHARACTERS,
  M2M_RECEIVE_MAX,
  M2M_RECEIVE_MIN,
  M2M_SUPPLIER,
  type M2mEndpoint,
} from './m2m10086-protocol.js';
import { type M2mRecord, parseCstTime } from './m2m10086-wire.js';

/** The account settings of an M2M platform account. */
export interface M2mSettings {
  /** Defaults to the documented `http://api.m2m10086.com:89`. */
  baseUrl?: string;
  partnercode: string;
  servicecode: string;
  password: string;
  /** Path overrides by endpoint (the document's addresses are the defaults). */
  paths?: Partial<Record<M2mEndpoint, string>>;
}

/** Errors that concern one card; any other error stops the whole call. */
const CARD_ERRORS = new Set([
  'supplier_card_unknown',
  'invalid_argument',
  'invalid_identifier',
  'not_found',
  'conflict',
  'supplier_rejected',
]);

/**
 * The supplier contract for the M2M card platform. The platform answers one card per call, so
 * every batch size is 1; push notices (m2m10086-notices.ts) are preferred over polling.
 */
export class M2mAdapter implements SupplierAdapterV1 {
  readonly specificationVersion = 'v1' as const;
  readonly supplier = M2M_SUPPLIER;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'identities',
    'status',
    'usage.monthly',
    'sms.send',
    'sms.inbound',
    'location',
  ]);
  readonly limits: SupplierLimits = {
    batchSize: {
      identities: 1,
      status: 1,
      'usage.monthly': 1,
      'sms.send': 1,
      'sms.inbound': M2M_RECEIVE_MAX,
      location: 1,
    },
  };
  /** The underlying SDK, for endpoints the contract does not cover. */
  readonly client: M2mClient;
  readonly #clock: Clock;

  constructor(
    readonly accountId: string,
    settings: M2mSettings,
    runtime: SupplierRuntime = {},
  ) {
    this.#clock = runtime.clock ?? systemClock;
    this.client = new M2mClient({
      ...settings,
      fetch: supplierTransport(runtime),
      clock: this.#clock,
      accountId,
    });
  }

  async doGetIdentities(options: CardsOptions): Promise<BatchResult<SupplierCard>> {
    return this.#perCard(options, async (card, bodies) => {
      const answer = await this.client.searchInfo({ key: keyOf(card) }, options);
      bodies.push(answer.body);
      const { cardcode, iccid, imsi, imei, flow, ...rest } = answer.value;
      return {
        iccid: iccid ?? null,
        msisdn: cardcode ?? null,
        imsi: imsi ?? null,
        imei: imei ?? null,
        extra: { ...rest, flowBytes: kbToBytes(flow) },
      };
    });
  }

  /** Card status (§2.2, selectors 2_3_4_5_7) with the device and GPRS state. */
  async doGetStatus(options: CardsOptions): Promise<BatchResult<M2mStatusValue>> {
    return this.#perCard(options, async (card, bodies) => {
      const answer = await this.client.searchTermInfo(
        { key: keyOf(card), selectors: ['cardStatus', 'deviceStatus', 'gprsStatus', 'ip', 'rat'] },
        options,
      );
      bodies.push(answer.body);
      const record = answer.value;
      if (record.cardstatus === '99') {
        // §2.2.3 99: 号码不存在.
        throw new SupplierError('supplier_card_unknown', `m2m10086 has no card ${keyOf(card)}`, {
          supplierCode: '99',
          retryable: false,
        });
      }
      return { ...m2mCardStatus(record.cardstatus), device: deviceStateOf(record) };
    });
  }

  /** Month usage (§2.7) in bytes (KB × 1024); only the last 12 months can be asked. */
  async doGetMonthlyUsage(options: MonthlyUsageOptions): Promise<BatchResult<UsageValue>> {
    const window = lastMonths(12, this.#clock.now());
    if (!window.includes(options.month)) {
      const error = new SupplierError(
        'invalid_argument',
        `m2m10086 answers the last 12 months only (${window[0]} to ${window[11]}), not ${options.month}`,
        { retryable: false },
      );
      return emptyBatch(options.cards.map((card) => ({ key: card.key, ok: false, error })));
    }
    const month = compactDate(options.month);
    return this.#perCard(options, async (card, bodies, warnings) => {
      try {
        const answer = await this.client.searchMonthFlow({ key: keyOf(card), month }, options);
        bodies.push(answer.body);
        return { bytes: kbToBytes(answer.value.flow) };
      } catch (error) {
        if (!SupplierError.isInstance(error) || error.supplierCode !== '0019') throw error;
        warnings.push({ type: 'partial-data', key: card.key, message: 'no usage record (0019)' });
        return { bytes: null };
      }
    });
  }

  /** Sends the text to each card (§2.3, IoT card numbers); the message id is the sendkey. */
  async doSendSms(options: SendSmsOptions): Promise<BatchResult<{ messageId: string | null }>> {
    if ([...options.text].length > M2M_MAX_SMS_CHARACTERS || options.text.length === 0) {
      const error = new SupplierError(
        'invalid_argument',
        `an SMS holds 1–${M2M_MAX_SMS_CHARACTERS} characters, got ${[...options.text].length}`,
        { retryable: false },
      );
      return emptyBatch(options.cards.map((card) => ({ key: card.key, ok: false, error })));
    }
    return this.#perCard(options, async (card, bodies) => {
      const mobile = await this.#cardcode(card, bodies, options);
      // The caller's idempotency key becomes the sendkey (16 letters/digits, §2.3), so a retry
      // after a timeout is answered 0024 (duplicate) instead of sending the text twice.
      const key = options.idempotencyKeys?.[card.key];
      const sendkey = key ? sendkeyFromIdempotencyKey(key) : undefined;
      const answer = await this.client.smsSend({ mobile, content: options.text, sendkey }, options);
      bodies.push(answer.body);
      return { messageId: answer.value.sendkey };
    });
  }

  /**
   * Reads replies (§2.6, 10–50 per read). The platform hands each reply out once only: store
   * the result before acknowledging anything or reading again. Pass `persist` to have the read
   * stored before this call returns. `limit` below 10 still reads 10 (the platform's minimum)
   * and returns them all, since unreturned replies would be lost.
   */
  async doReadInboundSms(options: ReadInboundSmsOptions): Promise<ReadInboundSmsResult> {
    const num = Math.min(
      M2M_RECEIVE_MAX,
      Math.max(M2M_RECEIVE_MIN, options.limit ?? M2M_RECEIVE_MAX),
    );
    const persist = options.persist;
    const answer = await this.client.smsReceive(
      { num, persist: persist ? (messages) => persist(messages.map(toInboundSms)) : undefined },
      options,
    );
    const warnings: SupplierWarning[] = [];
    // §2.6 reads the whole account and hands each reply out once: filtering by card or time
    // here would lose the rest, so every reply read is returned.
    if (options.cards !== undefined || options.since !== undefined) {
      warnings.push({
        type: 'unsupported-option',
        message: 'm2m10086 reads replies for the whole account; cards and since are not applied',
      });
    }
    if (options.limit !== undefined && answer.value.length > options.limit) {
      warnings.push({
        type: 'other',
        message: `read ${answer.value.length} replies (the platform's minimum is ${M2M_RECEIVE_MIN})`,
      });
    }
    return {
      messages: answer.value.map(toInboundSms),
      warnings,
      response: { bodies: [answer.body] },
    };
  }

  /** LBS position (§2.11; the document leaves its result "reserved", read tolerantly). */
  async doGetLocation(options: CardsOptions): Promise<BatchResult<CardLocation>> {
    return this.#perCard(options, async (card, bodies) => {
      const answer = await this.client.location({ key: keyOf(card) }, options);
      bodies.push(answer.body);
      return locationOf(answer.value);
    });
  }

  /** Remaining allowance this cycle (§2.8), in bytes. */
  async getSurplusFlow(card: CardRef, options: CallOptions = {}) {
    const answer = await this.client.surplusFlow({ key: keyOf(card) }, options);
    return { bytes: kbToBytes(answer.value.surplusflow), raw: answer.value };
  }

  /** Starts a device-state diagnosis (§2.9); read it with `getDiagnosisResult`. */
  async startDiagnosis(card: CardRef, options: CallOptions = {}): Promise<{ startedAt: number }> {
    const cardcode = await this.#cardcode(card, [], options);
    const startedAt = this.#clock.now();
    await this.client.macState({ cardcode }, options);
    return { startedAt };
  }

  /** The last diagnosis (§2.10), or null when there is none yet (0019). */
  async getDiagnosisResult(card: CardRef, options: CallOptions = {}): Promise<M2mDiagnosis | null> {
    const cardcode = await this.#cardcode(card, [], options);
    try {
      const { value } = await this.client.macStateResult({ cardcode }, options);
      return {
        powered: value.macstatus === '1' ? true : null,
        at: parseCstTime(value.lasttime),
        raw: value,
      };
    } catch (error) {
      if (SupplierError.isInstance(error) && error.supplierCode === '0019') return null;
      throw error;
    }
  }

  /**
   * Starts a diagnosis and polls (on the clock) until a result newer than the start arrives;
   * fails with a retryable `supplier_timeout` after `timeoutMs`.
   */
  async diagnose(
    card: CardRef,
    options: CallOptions & { pollIntervalMs?: number; timeoutMs?: number } = {},
  ): Promise<M2mDiagnosis> {
    const pollIntervalMs = options.pollIntervalMs ?? 15_000;
    const timeoutMs = options.timeoutMs ?? 5 * 60_000;
    const { startedAt } = await this.startDiagnosis(card, options);
    // `lasttime` has whole seconds: a result from this second or later is this diagnosis.
    const since = Math.floor(startedAt / 1000) * 1000;
    while (this.#clock.now() - startedAt < timeoutMs) {
      await this.#clock.sleep(pollIntervalMs, options.abortSignal);
      const result = await this.getDiagnosisResult(card, options);
      if (result && (result.at === null || result.at >= since)) return result;
    }
    throw new SupplierError(
      'supplier_timeout',
      `no diagnosis for ${card.key} within ${timeoutMs} ms`,
    );
  }

  /** Position of a cell (§2.12). */
  async lookupCell(
    cell: { mcc: string; mnc: string; lac: string; cellid: string },
    options: CallOptions = {},
  ): Promise<CardLocation & { radiusMeters: number | null }> {
    const { value } = await this.client.lbsInfo(cell, options);
    const radius = Number(value.radius);
    return {
      ...locationOf(value),
      radiusMeters: value.radius && Number.isFinite(radius) ? radius : null,
    };
  }

  /** The state of one send (§2.5). */
  async getSmsSendResult(
    sendkey: string,
    options: CallOptions = {},
  ): Promise<{ state: M2mSendState; mobile: string | null; raw: M2mRecord }> {
    const answer = await this.client.smsSendResult({ sendkey }, options);
    return { state: answer.state, mobile: answer.value.mobile ?? null, raw: answer.value };
  }

  /**
   * Sends one SMS with every wire option: your own `sendkey` for idempotent retries (0024 answers
   * a repeat as `conflict`), a CMPP `fmt` (then through §2.4, IoT cards only), or `mobiletype` 1
   * for an ordinary phone number.
   */
  async sendSms(
    input: { mobile: string; text: string; sendkey?: string; fmt?: number; mobiletype?: '0' | '1' },
    options: CallOptions = {},
  ): Promise<{ sendkey: string }> {
    const common = { mobile: input.mobile, content: input.text, sendkey: input.sendkey };
    const answer =
      input.fmt === undefined
        ? await this.client.smsSend({ ...common, mobiletype: input.mobiletype }, options)
        : await this.client.smsSendFmt({ ...common, fmt: input.fmt }, options);
    return answer.value;
  }

  /** The card number (`cardcode`), read through §2.1 when the caller knows only the ICCID/IMSI. */
  async #cardcode(card: CardRef, bodies: unknown[], options: CallOptions): Promise<string> {
    if (card.msisdn) return card.msisdn;
    const answer = await this.client.searchInfo({ key: keyOf(card) }, options);
    bodies.push(answer.body);
    if (!answer.value.cardcode) {
      throw new SupplierError('supplier_card_unknown', `no card number for ${card.key}`, {
        retryable: false,
      });
    }
    return answer.value.cardcode;
  }

  /** One call per card, in order; card-level failures become items, others are thrown. */
  async #perCard<T>(
    options: CardsOptions,
    task: (card: CardRef, bodies: unknown[], warnings: SupplierWarning[]) => Promise<T>,
  ): Promise<BatchResult<T>> {
    const bodies: unknown[] = [];
    const warnings: SupplierWarning[] = [];
    const items: ItemResult<T>[] = [];
    for (const card of options.cards) {
      options.abortSignal?.throwIfAborted();
      if (!card.iccid && !card.msisdn && !card.imsi) {
        items.push(missingIdentifierItem(card, 'an ICCID, MSISDN or IMSI'));
        continue;
      }
      try {
        items.push({ key: card.key, ok: true, value: await task(card, bodies, warnings) });
      } catch (error) {
        if (!SupplierError.isInstance(error) || !CARD_ERRORS.has(error.code)) throw error;
        items.push({ key: card.key, ok: false, error });
      }
    }
    return { items, warnings, response: { bodies } };
  }
}

function emptyBatch<T>(items: ItemResult<T>[]): BatchResult<T> {
  return { items, warnings: [], response: { bodies: [] } };
}

/** A reply as the contract's InboundSms. */
function toInboundSms(message: M2mReceivedSms): InboundSms {
  return {
    messageId: message.messageId,
    msisdn: message.mobile,
    iccid: null,
    text: message.content,
    receivedAt: parseCstTime(message.retime),
  };
}

/** A 16-character sendkey derived from any idempotency key (stable, letters and digits). */
export function sendkeyFromIdempotencyKey(key: string): string {
  return /^[A-Za-z0-9]{16}$/.test(key)
    ? key
    : createHash('sha256').update(key).digest('hex').slice(0, 16);
}
