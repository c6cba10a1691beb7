import {
  BYTES_PER_MB,
  type CstMonth,
  cstMonth,
  isCstDate,
  monthBounds,
  parseIccid,
  parseMsisdn,
  systemClock,
} from '../../domain/index.js';
import {
  type BatchResult,
  type Capability,
  type CardRef,
  type ChangeSpeedOptions,
  type ChangeStatusOptions,
  type DailyUsageOptions,
  type ItemResult,
  type LifecycleAction,
  type ListCardsOptions,
  type ListCardsResult,
  type MonthlyUsageOptions,
  missingIdentifierItem,
  type SetDataCapOptions,
  type SupplierAdapterV1,
  type SupplierCard,
  SupplierError,
  type SupplierLimits,
  type SupplierSession,
  type SupplierWarning,
  type UsageValue,
} from '../spec/index.js';
import {
  type TelecomCmpCardId,
  TelecomCmpClient,
  type TelecomCmpClientOptions,
} from './telecom-cmp-client.js';
import {
  findObject,
  firstValue,
  isTelecomCmpSpeedCode,
  TELECOM_CMP_OFF_NET_ACTIONS,
  TELECOM_CMP_ORDER_TYPES,
  TELECOM_CMP_PAGE_SIZE,
  TELECOM_CMP_SPEED_UNLIMITED,
  TELECOM_CMP_SUPPLIER,
  type TelecomCmpAnswer,
  telecomCmpStatus,
  telecomCmpTrafficBytes,
} from './telecom-cmp-protocol.js';

export interface TelecomCmpAdapterOptions extends TelecomCmpClientOptions {
  /** `offNetAction` type: 1 total (default), 2 beyond the package. */
  offNetType?: '1' | '2';
}

/** What each lifecycle action asks, and the status the card lands in (notes' table). */
const LIFECYCLE: Partial<Record<LifecycleAction, { orderTypeId: string; lands: string }>> = {
  pause: { orderTypeId: TELECOM_CMP_ORDER_TYPES.pause, lands: '5' },
  resume: { orderTypeId: TELECOM_CMP_ORDER_TYPES.resume, lands: '4' },
  'end-test': { orderTypeId: TELECOM_CMP_ORDER_TYPES.endTest, lands: '3' },
};

/** Errors that concern one card only; any other error fails the whole call. */
const PER_CARD_CODES = new Set([
  'supplier_card_unknown',
  'supplier_rejected',
  'conflict',
  'invalid_argument',
]);

/** GTPv2 RAT types as `getOnlineStatus` gives them (seen: `rattype` 6); names are a guess. */
const RAT_NAMES: Record<string, string> = {
  '1': 'UTRAN',
  '2': 'GERAN',
  '6': 'LTE',
  '8': 'NB-IoT',
  '10': 'NR',
};

/**
 * The `telecom-cmp` adapter: one card per call (the CMP has no batch queries), the card by its
 * access number (MSISDN) or else its ICCID.
 */
export function createTelecomCmp(options: TelecomCmpAdapterOptions): SupplierAdapterV1 {
  const client = new TelecomCmpClient(options);
  const clock = options.clock ?? systemClock;
  const { accountId } = options;
  const offNetType = options.offNetType ?? '1';
  const capabilities = new Set<Capability>([
    'inventory',
    'status',
    'usage.daily',
    'usage.monthly',
    'lifecycle',
  ]);
  const limits: SupplierLimits = {
    batchSize: { status: 1, 'usage.daily': 1, 'usage.monthly': 1, lifecycle: 1 },
    pageSize: TELECOM_CMP_PAGE_SIZE,
    // guess: queryTrafficByDate reaches back six months.
    dailyUsageWindowDays: 180,
    lifecycleActions: ['pause', 'resume', 'end-test'],
  };

  return {
    specificationVersion: 'v1',
    supplier: TELECOM_CMP_SUPPLIER,
    accountId,
    capabilities,
    limits,

    async doListCards({ cursor, abortSignal }: ListCardsOptions): Promise<ListCardsResult> {
      const pageIndex = cursor === undefined ? 1 : Number(cursor);
      if (!Number.isInteger(pageIndex) || pageIndex < 1) {
        throw new SupplierError('invalid_argument', `"${cursor}" is not a telecom-cmp page`, {
          retryable: false,
        });
      }
      const answer = await client.getSIMList(pageIndex, { abortSignal });
      const list = findObject(answer.body, 'simList');
      const records = (Array.isArray(list) ? list : list ? [list] : []) as Record<
        string,
        unknown
      >[];
      const cards = records.map(simListCard);
      const total = Number(firstValue(answer.body, ['totalCount']));
      const more = Number.isFinite(total)
        ? pageIndex * TELECOM_CMP_PAGE_SIZE < total
        : records.length >= TELECOM_CMP_PAGE_SIZE;
      return {
        cards,
        ...(more && records.length > 0 ? { nextCursor: String(pageIndex + 1) } : {}),
        warnings: [],
        response: { bodies: [answer.body] },
      };
    },

    doGetStatus: ({ cards, abortSignal }) =>
      perCard(cards, async (id) => {
        const answer = await client.queryCardMainStatus(id, { abortSignal });
        const raw = firstValue(answer.body, ['productMainStatusCd']);
        return { answer, value: telecomCmpStatus(raw) };
      }),

    async doGetDailyUsage({ cards, date, abortSignal }: DailyUsageOptions) {
      if (!isCstDate(date)) {
        throw new SupplierError('invalid_argument', `"${date}" is not a CST date YYYY-MM-DD`, {
          retryable: false,
        });
      }
      return usage(cards, (id) =>
        client.queryTrafficByDate(id, { from: date, to: date }, { abortSignal }),
      );
    },

    async doGetMonthlyUsage({ cards, month, abortSignal }: MonthlyUsageOptions) {
      const current = cstMonth(clock.now());
      if (!/^\d{4}-\d{2}$/.test(month) || month > current) {
        throw new SupplierError('invalid_argument', `"${month}" is not a past or current month`, {
          retryable: false,
        });
      }
      if (month === current) {
        return usage(cards, (id) => client.queryTraffic(id, { abortSignal }));
      }
      const { first, last } = monthBounds(month as CstMonth);
      return usage(cards, (id) =>
        client.queryTrafficByDate(id, { from: first, to: last }, { abortSignal }),
      );
    },

    async doChangeStatus({ cards, action, abortSignal }: ChangeStatusOptions) {
      const change = LIFECYCLE[action];
      if (!change) {
        throw new SupplierError('unsupported', `telecom-cmp does not offer "${action}"`, {
          retryable: false,
        });
      }
      return perCard(cards, async (id) => {
        const answer = await client.disabledNumber(id, change.orderTypeId, { abortSignal });
        // The change answers no status: the card lands where the order type takes it.
        return { answer, value: telecomCmpStatus(change.lands) };
      });
    },

    doGetSession: ({ cards, abortSignal }) =>
      perCard(cards, async (id) => {
        const answer = await client.getOnlineStatus(id, { abortSignal });
        return { answer, value: session(answer) };
      }),

    async doSetDataCap({ cards, capBytes, abortSignal }: SetDataCapOptions) {
      if (capBytes !== null && (!Number.isSafeInteger(capBytes) || capBytes <= 0)) {
        throw new SupplierError(
          'invalid_argument',
          'a data cap is a positive whole number of bytes',
          {
            retryable: false,
          },
        );
      }
      const quotaMb = capBytes === null ? 0 : Math.ceil(capBytes / BYTES_PER_MB);
      const warnings: SupplierWarning[] = [];
      if (capBytes !== null && capBytes % BYTES_PER_MB !== 0) {
        warnings.push({
          type: 'document-quirk',
          message: `the CMP takes caps in whole MB: ${capBytes} bytes sent as ${quotaMb} MB`,
        });
      }
      const result = await perCard(cards, async (id) => {
        if (capBytes === null) {
          const answer = await client.offNetAction(
            id,
            { action: TELECOM_CMP_OFF_NET_ACTIONS.cancel, quotaMb, type: offNetType },
            { abortSignal },
          );
          return { answer, value: {} as Record<string, never> };
        }
        try {
          const answer = await client.offNetAction(
            id,
            { action: TELECOM_CMP_OFF_NET_ACTIONS.add, quotaMb, type: offNetType },
            { abortSignal },
          );
          return { answer, value: {} as Record<string, never> };
        } catch (error) {
          // guess: a card that already has a cap refuses "add" (-8); change it instead.
          if (!SupplierError.isInstance(error) || error.supplierCode !== '-8') throw error;
          const answer = await client.offNetAction(
            id,
            { action: TELECOM_CMP_OFF_NET_ACTIONS.modify, quotaMb, type: offNetType },
            { abortSignal },
          );
          return { answer, value: {} as Record<string, never> };
        }
      });
      result.warnings.push(...warnings);
      return result;
    },

    async doChangeSpeed({ cards, speedCode, abortSignal }: ChangeSpeedOptions) {
      if (speedCode !== null && !isTelecomCmpSpeedCode(speedCode)) {
        throw new SupplierError(
          'invalid_argument',
          `"${speedCode}" is not a telecom-cmp speed code (10–33)`,
          { retryable: false },
        );
      }
      return perCard(cards, async (id) => {
        const answer = await client.speedLimitAction(
          id,
          speedCode === null
            ? { action: 'DEL', speedValue: TELECOM_CMP_SPEED_UNLIMITED }
            : { action: 'ADD', speedValue: speedCode },
          { abortSignal },
        );
        return { answer, value: {} as Record<string, never> };
      });
    },
  };

  function usage(
    cards: CardRef[],
    request: (id: TelecomCmpCardId) => Promise<TelecomCmpAnswer>,
  ): Promise<BatchResult<UsageValue>> {
    return perCard(cards, async (id) => {
      const answer = await request(id);
      return {
        answer,
        value: { bytes: telecomCmpTrafficBytes(firstValue(answer.body, ['TOTAL_BYTES_CNT'])) },
      };
    }).then((result) => {
      const unknown = result.items.filter((item) => item.ok && item.value.bytes === null).length;
      if (unknown > 0) {
        result.warnings.push({
          type: 'partial-data',
          message: `${unknown} card(s) answered without a readable TOTAL_BYTES_CNT: bytes unknown (null)`,
        });
      }
      return result;
    });
  }

  /** One call per card, in order; card-level refusals become items, others fail the call. */
  async function perCard<T>(
    cards: CardRef[],
    call: (id: TelecomCmpCardId) => Promise<{ answer: TelecomCmpAnswer; value: T }>,
  ): Promise<BatchResult<T>> {
    const items: ItemResult<T>[] = [];
    const bodies: unknown[] = [];
    for (const card of cards) {
      const id = cardId(card);
      if (id === null) {
        items.push(missingIdentifierItem(card, 'MSISDN or ICCID'));
        continue;
      }
      if ('error' in id) {
        items.push({ key: card.key, ok: false, error: id.error });
        continue;
      }
      try {
        const { answer, value } = await call(id);
        bodies.push(answer.body);
        items.push({ key: card.key, ok: true, value });
      } catch (error) {
        if (SupplierError.isInstance(error) && PER_CARD_CODES.has(error.code)) {
          items.push({ key: card.key, ok: false, error });
          continue;
        }
        throw error;
      }
    }
    return { items, warnings: [], response: { bodies } };
  }
}

/** The access number when known, else the ICCID (both accepted by the CMP, seen ×2). */
function cardId(card: CardRef): TelecomCmpCardId | { error: SupplierError } | null {
  if (card.msisdn) {
    const parsed = parseMsisdn(card.msisdn);
    if (!parsed.ok) return { error: invalidIdentifier(parsed.error.message) };
    return { access_number: parsed.value };
  }
  if (card.iccid) {
    const parsed = parseIccid(card.iccid);
    if (!parsed.ok) return { error: invalidIdentifier(parsed.error.message) };
    return { iccid: parsed.value };
  }
  return null;
}

function invalidIdentifier(message: string) {
  return new SupplierError('invalid_identifier', message, { retryable: false });
}

function text(record: Record<string, unknown>, key: string): string | null {
  const value = record[key];
  if (value === undefined || value === null) return null;
  const string = String(value).trim();
  return string === '' ? null : string;
}

/** A `getSIMList` record (guess: field names `accNumber`, `iccid`, `imsi`, `simStatus`). */
function simListCard(record: Record<string, unknown>): SupplierCard {
  const status = text(record, 'simStatus');
  const { accNumber: _a, iccid: _i, imsi: _m, simStatus: _s, ...extra } = record;
  return {
    iccid: text(record, 'iccid')?.toUpperCase() ?? null,
    msisdn: text(record, 'accNumber'),
    imsi: text(record, 'imsi'),
    imei: null,
    ...(status === null ? {} : { status: telecomCmpStatus(status) }),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

/** A CST `yyyy-MM-dd HH:mm:ss` as epoch ms; null when absent or unreadable. */
function cstInstant(value: string | null): number | null {
  if (!value || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) return null;
  const instant = Date.parse(`${value.replace(' ', 'T')}+08:00`);
  return Number.isNaN(instant) ? null : instant;
}

/** `getOnlineStatus` description (seen ×1): acctStatusType start/stop, framedIpAddress, apn… */
function session(answer: TelecomCmpAnswer): SupplierSession {
  const found = findObject(answer.body, 'description');
  const description = (found && typeof found === 'object' ? found : {}) as Record<string, unknown>;
  const state = text(description, 'acctStatusType');
  const rat = text(description, 'rattype');
  return {
    online: state === 'start' ? true : state === 'stop' ? false : null,
    ip: text(description, 'framedIpAddress'),
    apn: text(description, 'apn'),
    rat: rat === null ? null : (RAT_NAMES[rat] ?? rat),
    startedAt: state === 'start' ? cstInstant(text(description, 'startTime')) : null,
    details: description,
  };
}
