import type { CstDate } from '../../domain/index.js';
import { type FetchFunction, type SupplierRuntime, supplierTransport } from '../spec/index.js';
import { TelecomCmpCipher } from './telecom-cmp-des.js';
import {
  assertTelecomCmpOk,
  parseTelecomCmpAnswer,
  TELECOM_CMP_DEFAULT_BASE_URL,
  TELECOM_CMP_DEFAULT_PATHS,
  TELECOM_CMP_OFF_NET_ACTIONS,
  type TelecomCmpAnswer,
  type TelecomCmpPathName,
  telecomCmpSignature,
} from './telecom-cmp-protocol.js';

export interface TelecomCmpClientOptions extends SupplierRuntime {
  accountId: string;
  baseUrl?: string;
  userId: string;
  password: string;
  /** The 9-character key, cut into k1, k2, k3. */
  key: string;
  /** Overrides of `query` / `change` paths, or of one method's path by its name. */
  paths?: Record<string, string>;
}

/** A card as the CMP is asked for it: the access number (MSISDN), else the ICCID. */
export type TelecomCmpCardId = { access_number: string } | { iccid: string };

interface CallOptions {
  abortSignal?: AbortSignal;
}

/**
 * One typed method per CMP method, wire names kept. Every call is a GET whose query carries
 * `method`, `user_id`, the card, `password` (the encrypted passWord) and `sign`.
 */
export class TelecomCmpClient {
  readonly accountId: string;
  readonly #baseUrl: string;
  readonly #userId: string;
  readonly #password: string;
  readonly #paths: Record<string, string>;
  readonly #fetch: FetchFunction;
  readonly cipher: TelecomCmpCipher;

  constructor(options: TelecomCmpClientOptions) {
    this.accountId = options.accountId;
    this.#baseUrl = (options.baseUrl ?? TELECOM_CMP_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.#userId = options.userId;
    this.#password = options.password;
    this.#paths = { ...TELECOM_CMP_DEFAULT_PATHS, ...options.paths };
    this.cipher = TelecomCmpCipher.fromKey(options.key);
    this.#fetch = supplierTransport(options);
  }

  /**
   * One call. `signed` are the method's own values that enter `sign` besides the card,
   * user_id, password and method (e.g. `action, quota, type`).
   */
  async call(
    pathName: TelecomCmpPathName,
    method: string,
    card: TelecomCmpCardId | null,
    params: Record<string, string>,
    signed: string[],
    options: CallOptions & { encrypted?: boolean } = {},
  ): Promise<TelecomCmpAnswer> {
    options.abortSignal?.throwIfAborted();
    const cardValue = card ? Object.values(card)[0]! : null;
    const values = [
      ...(cardValue === null ? [] : [cardValue]),
      this.#userId,
      this.#password,
      method,
      ...signed,
    ];
    const { passWord, sign } = telecomCmpSignature(this.cipher, this.#password, values);
    const query = new URLSearchParams({ method, user_id: this.#userId, ...card, ...params });
    // seen ×2: public clients send the encrypted passWord under the name `password`.
    query.set('password', passWord);
    query.set('sign', sign);
    const path = this.#paths[method] ?? this.#paths[pathName]!;
    const response = await this.#fetch(`${this.#baseUrl}${path}?${query}`, {
      method: 'GET',
      ...(options.abortSignal ? { signal: options.abortSignal } : {}),
    });
    const answer = parseTelecomCmpAnswer(await response.text(), {
      httpStatus: response.status,
      ...(options.encrypted ? { cipher: this.cipher } : {}),
    });
    assertTelecomCmpOk(answer, this.accountId);
    return answer;
  }

  /** `queryTraffic`: the card's usage this month so far. */
  queryTraffic(card: TelecomCmpCardId, options: CallOptions = {}) {
    return this.call('query', 'queryTraffic', card, {}, [], options);
  }

  /**
   * `queryTrafficByDate` between two dates (`needDtl` 0 total, 1 per day). guess: parameter
   * names `startDate` / `endDate` as yyyyMMdd, one calendar month at most.
   */
  queryTrafficByDate(
    card: TelecomCmpCardId,
    range: { from: CstDate; to: CstDate; needDtl?: '0' | '1' },
    options: CallOptions = {},
  ) {
    return this.call(
      'query',
      'queryTrafficByDate',
      card,
      {
        startDate: range.from.replaceAll('-', ''),
        endDate: range.to.replaceAll('-', ''),
        needDtl: range.needDtl ?? '0',
      },
      [],
      options,
    );
  }

  /** `queryCardMainStatus`: productInfo[].productMainStatusCd. */
  queryCardMainStatus(card: TelecomCmpCardId, options: CallOptions = {}) {
    return this.call('query', 'queryCardMainStatus', card, {}, [], options);
  }

  /** `getOnlineStatus` (JSON): the data session. */
  getOnlineStatus(card: TelecomCmpCardId, options: CallOptions = {}) {
    return this.call('query', 'getOnlineStatus', card, {}, [], options);
  }

  /**
   * `getSIMList`, 50 a page; the answer is strEnc hex (seen ×1). guess: `pageIndex` (1-based)
   * is the page parameter and is not part of `sign`.
   */
  getSIMList(pageIndex: number, options: CallOptions = {}) {
    return this.call('query', 'getSIMList', null, { pageIndex: String(pageIndex) }, [], {
      ...options,
      encrypted: true,
    });
  }

  /** `disabledNumber`: orderTypeId 19/20/21/22, `acctCd` sent empty (and signed empty). */
  disabledNumber(card: TelecomCmpCardId, orderTypeId: string, options: CallOptions = {}) {
    return this.call(
      'change',
      'disabledNumber',
      card,
      { orderTypeId, acctCd: '' },
      ['', orderTypeId],
      options,
    );
  }

  /**
   * `offNetAction` (达量断网): action 1 add, 2 modify, 3 cancel; type 1 total, 2 beyond the
   * package. guess: `quota` in whole MB, sent as `0` on cancel.
   */
  offNetAction(
    card: TelecomCmpCardId,
    change: { action: string; quotaMb: number; type: string },
    options: CallOptions = {},
  ) {
    const quota =
      change.action === TELECOM_CMP_OFF_NET_ACTIONS.cancel ? '0' : String(change.quotaMb);
    return this.call(
      'change',
      'offNetAction',
      card,
      { action: change.action, quota, type: change.type },
      [change.action, quota, change.type],
      options,
    );
  }

  /**
   * `speedLimitAction`: action `ADD` with a speed code, or `DEL` (seen ×2). guess: `DEL` is
   * sent with the unlimited code 31.
   */
  speedLimitAction(
    card: TelecomCmpCardId,
    change: { action: 'ADD' | 'DEL'; speedValue: string },
    options: CallOptions = {},
  ) {
    return this.call(
      'change',
      'speedLimitAction',
      card,
      { action: change.action, speedValue: change.speedValue },
      [change.action, change.speedValue],
      options,
    );
  }
}
