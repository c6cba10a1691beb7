import {
  BYTES_PER_MB,
  cstMonth,
  isCstDate,
  kbToBytes,
  mbToBytes,
  parseIccid,
  parseImsi,
  parseMsisdn,
  systemClock,
} from '../../domain/index.js';
import {
  type BatchResult,
  type Capability,
  type CardHistoryOptions,
  type CardRef,
  type CardsOptions,
  type ChangeStatusOptions,
  chunk,
  type DailyUsageOptions,
  groupByIdentifier,
  type IdentifierField,
  type ItemResult,
  type MonthlyUsageOptions,
  missingIdentifierItem,
  recordsIn,
  type SetDataCapOptions,
  type SupplierAdapterV1,
  type SupplierCard,
  type SupplierCardEvent,
  type SupplierDataCap,
  type SupplierDiagnosis,
  SupplierError,
  type SupplierLimits,
  type SupplierWarning,
  type UsageValue,
} from '../spec/index.js';
import {
  Telecom5gClient,
  type Telecom5gClientOptions,
  type Telecom5gNumbers,
} from './telecom-5g-client.js';
import {
  scalar,
  TELECOM_5G_NEEDS_ACTIVATION,
  TELECOM_5G_OFF_NET_ACTIONS,
  TELECOM_5G_ORDER_TYPES,
  TELECOM_5G_SUPPLIER,
  type Telecom5gAnswer,
  telecom5gError,
  telecom5gStatus,
} from './telecom-5g-protocol.js';

export interface Telecom5gAdapterOptions extends Telecom5gClientOptions {
  /** `offNetAction` type: 1 total (default), 2 beyond the package. */
  offNetType?: '1' | '2';
}

type Item = Record<string, unknown>;

const PREFERENCE: readonly IdentifierField[] = ['msisdn', 'iccid', 'imsi'];
const PARSERS = { iccid: parseIccid, msisdn: parseMsisdn, imsi: parseImsi } as const;
/** The request field and the answer item field of each identifier (accessNumber seen). */
const WIRE: Record<IdentifierField, keyof Telecom5gNumbers> = {
  msisdn: 'accessNumber',
  iccid: 'iccid',
  imsi: 'imsi',
};

/** Errors of one card; others fail the whole call. */
const PER_CARD_CODES = new Set([
  'supplier_card_unknown',
  'supplier_rejected',
  'conflict',
  'invalid_argument',
]);

/**
 * The `telecom-5g` adapter: batch reads (≤ 100 numbers a call), changes one card a call by its
 * access number (MSISDN).
 */
export function createTelecom5g(options: Telecom5gAdapterOptions): SupplierAdapterV1 {
  const client = new Telecom5gClient(options);
  const clock = options.clock ?? systemClock;
  const { accountId } = options;
  const offNetType = options.offNetType ?? '1';
  const size = client.batchSize;
  const capabilities = new Set<Capability>([
    'identities',
    'status',
    'usage.daily',
    'usage.monthly',
    'lifecycle',
  ]);
  const limits: SupplierLimits = {
    batchSize: {
      identities: size,
      status: size,
      'usage.daily': size,
      'usage.monthly': size,
      lifecycle: 1,
    },
    // guess: daily figures reach back six months.
    dailyUsageWindowDays: 180,
    lifecycleActions: ['pause', 'resume', 'activate'],
  };

  return {
    specificationVersion: 'v1',
    supplier: TELECOM_5G_SUPPLIER,
    accountId,
    capabilities,
    limits,

    doGetIdentities: ({ cards, abortSignal }: CardsOptions) =>
      batch(cards, (numbers) => client.batchQrySimInfo(numbers, { abortSignal }), simCard),

    doGetStatus: ({ cards, abortSignal }: CardsOptions) =>
      batch(
        cards,
        (numbers) => client.batchQrySimStatus(numbers, { abortSignal }),
        (item) => telecom5gStatus(scalar(item.productMainStatusCd)),
      ),

    async doGetDailyUsage({ cards, date, abortSignal }: DailyUsageOptions) {
      if (!isCstDate(date)) {
        throw new SupplierError('invalid_argument', `"${date}" is not a CST date YYYY-MM-DD`, {
          retryable: false,
        });
      }
      return usage(
        await batch(
          cards,
          (numbers) =>
            client.batchQryFlowByDate(numbers, date.replaceAll('-', ''), { abortSignal }),
          flow,
        ),
      );
    },

    async doGetMonthlyUsage({ cards, month, abortSignal }: MonthlyUsageOptions) {
      if (!/^\d{4}-\d{2}$/.test(month) || month > cstMonth(clock.now())) {
        throw new SupplierError('invalid_argument', `"${month}" is not a past or current month`, {
          retryable: false,
        });
      }
      return usage(
        await batch(
          cards,
          (numbers) => client.batchQryFlowByMonth(numbers, month.replace('-', ''), { abortSignal }),
          flow,
        ),
      );
    },

    async doChangeStatus({ cards, action, abortSignal }: ChangeStatusOptions) {
      if (action !== 'pause' && action !== 'resume' && action !== 'activate') {
        throw new SupplierError('unsupported', `telecom-5g does not offer "${action}"`, {
          retryable: false,
        });
      }
      const warnings: SupplierWarning[] = [];
      const result = await perCard(cards, async (number) => {
        if (action === 'activate') {
          const answer = await client.requestServActive(number, { abortSignal });
          return { answer, value: telecom5gStatus('4') };
        }
        const orderTypeId = TELECOM_5G_ORDER_TYPES[action];
        try {
          const answer = await client.disabledNumberService(number, orderTypeId, { abortSignal });
          return { answer, value: telecom5gStatus(action === 'pause' ? '5' : '4') };
        } catch (error) {
          // A 待激活 card cannot be resumed (100008): it needs forced activation instead.
          if (
            action !== 'resume' ||
            !SupplierError.isInstance(error) ||
            error.supplierCode !== TELECOM_5G_NEEDS_ACTIVATION
          ) {
            throw error;
          }
          const answer = await client.requestServActive(number, { abortSignal });
          warnings.push({
            type: 'document-quirk',
            message: `card ${number} was 待激活: resumed by forced activation (requestServActive)`,
          });
          return { answer, value: telecom5gStatus('4') };
        }
      });
      result.warnings.push(...warnings);
      return result;
    },

    async doSetDataCap({ cards, capBytes, abortSignal }: SetDataCapOptions) {
      if (capBytes !== null && (!Number.isSafeInteger(capBytes) || capBytes <= 0)) {
        throw new SupplierError(
          'invalid_argument',
          'a data cap is a positive whole number of bytes',
          { retryable: false },
        );
      }
      const quotaMb = capBytes === null ? 0 : Math.ceil(capBytes / BYTES_PER_MB);
      const result = await perCard(cards, async (number) => {
        const send = (action: string) =>
          client.offNetAction(number, { action, quotaMb, type: offNetType }, { abortSignal });
        if (capBytes === null) {
          return { answer: await send(TELECOM_5G_OFF_NET_ACTIONS.cancel), value: {} };
        }
        try {
          return { answer: await send(TELECOM_5G_OFF_NET_ACTIONS.add), value: {} };
        } catch (error) {
          // guess: a card that already has a cap refuses "add" (2003); change it instead.
          if (!SupplierError.isInstance(error) || error.supplierCode !== '2003') throw error;
          return { answer: await send(TELECOM_5G_OFF_NET_ACTIONS.modify), value: {} };
        }
      });
      if (capBytes !== null && capBytes % BYTES_PER_MB !== 0) {
        result.warnings.push({
          type: 'document-quirk',
          message: `the CMP takes caps in whole MB: ${capBytes} bytes sent as ${quotaMb} MB`,
        });
      }
      return result as BatchResult<Record<string, never>>;
    },

    // guess: BQ018's card record carries the off-net quota (offNetQuota, MB) and type, and
    // netBlockStatusName (seen in the status answer) says whether the card was cut.
    doGetDataCap: ({ cards, abortSignal }: CardsOptions) =>
      batch(
        cards,
        (numbers) => client.batchQrySimInfo(numbers, { abortSignal }),
        (item): SupplierDataCap => {
          const quota = scalar(item.offNetQuota);
          const block = scalar(item.netBlockStatusName);
          return {
            capBytes: quota === null || quota === '' || quota === '0' ? null : mbToBytes(quota),
            reached: block === '已断网' ? true : block === '未断网' ? false : null,
            details: {
              offNetQuota: item.offNetQuota ?? null,
              offNetType: item.offNetType ?? null,
              netBlockStatusName: item.netBlockStatusName ?? null,
            },
          };
        },
      ),

    doGetCardHistory: ({ cards, abortSignal, from, to }: CardHistoryOptions) =>
      perCard(cards, async (number) => {
        const answer = await client.cradStatus(number, { abortSignal });
        const list = recordsIn(answer.body.data);
        const events = list
          .map(historyEvent)
          .filter(
            (event) =>
              event.at === null ||
              ((from ?? -Infinity) <= event.at && event.at <= (to ?? Infinity)),
          )
          .sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
        return { answer, value: events };
      }),

    doDiagnose: ({ cards, abortSignal }: CardsOptions) =>
      perCard(cards, async (number) => {
        const answer = await client.diagnosis(number, { abortSignal });
        return { answer, value: diagnosis(answer) };
      }),
  };

  function usage(result: BatchResult<UsageValue>): BatchResult<UsageValue> {
    const unknown = result.items.filter((item) => item.ok && item.value.bytes === null).length;
    if (unknown > 0) {
      result.warnings.push({
        type: 'partial-data',
        message: `${unknown} card(s) answered without a readable flowAmount: bytes unknown (null)`,
      });
    }
    return result;
  }

  /**
   * Groups cards by identifier, chunks each group to the batch size, and matches answer items
   * (`data[]`) back by the identifier asked. A card left out of the answer is a retryable
   * bad response; an item with a non-zero `status` fails on its own.
   */
  async function batch<T>(
    cards: CardRef[],
    request: (numbers: Telecom5gNumbers) => Promise<Telecom5gAnswer>,
    value: (item: Item) => T,
  ): Promise<BatchResult<T>> {
    const items: ItemResult<T>[] = [];
    const bodies: unknown[] = [];
    const { groups, missing } = groupByIdentifier(cards, PREFERENCE);
    for (const card of missing) items.push(missingIdentifierItem(card, 'MSISDN, ICCID or IMSI'));
    for (const [field, members] of groups) {
      const asked = new Map<string, CardRef[]>();
      for (const { card, id } of members) {
        const parsed = PARSERS[field](id);
        if (!parsed.ok) {
          items.push({ key: card.key, ok: false, error: invalidIdentifier(parsed.error.message) });
          continue;
        }
        asked.set(parsed.value, [...(asked.get(parsed.value) ?? []), card]);
      }
      for (const numbers of chunk([...asked.keys()], size)) {
        const answer = await request({ [WIRE[field]]: numbers });
        bodies.push(answer.body);
        const data = recordsIn(answer.body.data);
        const byNumber = new Map<string, Item>();
        for (const item of data) {
          const number = scalar(item[WIRE[field]]);
          if (number) byNumber.set(field === 'iccid' ? number.toUpperCase() : number, item);
        }
        for (const number of numbers) {
          const item = byNumber.get(number);
          for (const card of asked.get(number)!) items.push(itemResult(card, item, value));
        }
      }
    }
    return { items: order(items, cards), warnings: [], response: { bodies } };
  }

  function itemResult<T>(
    card: CardRef,
    item: Item | undefined,
    value: (item: Item) => T,
  ): ItemResult<T> {
    if (!item) {
      return {
        key: card.key,
        ok: false,
        error: new SupplierError('supplier_bad_response', 'telecom-5g left this card out', {
          accountId,
          retryable: true,
        }),
      };
    }
    // seen ×1: items carry status "0" and statusDesc "查询成功" when found.
    const status = scalar(item.status);
    if (status !== null && status !== '0') {
      return {
        key: card.key,
        ok: false,
        error: telecom5gError(status, scalar(item.statusDesc), accountId),
      };
    }
    return { key: card.key, ok: true, value: value(item) };
  }

  /** One call per card by access number; card-level refusals become items. */
  async function perCard<T>(
    cards: CardRef[],
    call: (accessNumber: string) => Promise<{ answer: Telecom5gAnswer; value: T }>,
  ): Promise<BatchResult<T>> {
    const items: ItemResult<T>[] = [];
    const bodies: unknown[] = [];
    const warnings: SupplierWarning[] = [];
    for (const card of cards) {
      if (!card.msisdn) {
        items.push(missingIdentifierItem(card, 'MSISDN (access number)'));
        continue;
      }
      const parsed = parseMsisdn(card.msisdn);
      if (!parsed.ok) {
        items.push({ key: card.key, ok: false, error: invalidIdentifier(parsed.error.message) });
        continue;
      }
      try {
        const { answer, value } = await call(parsed.value);
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
    return { items, warnings, response: { bodies } };
  }
}

function invalidIdentifier(message: string) {
  return new SupplierError('invalid_identifier', message, { retryable: false });
}

/** BQ018 record. guess: field names accessNumber (seen), iccid, imsi, imei. */
function simCard(item: Item): SupplierCard {
  const {
    accessNumber,
    iccid,
    imsi,
    imei,
    status: _s,
    statusDesc: _d,
    result: _r,
    ...extra
  } = item;
  const main = scalar(item.productMainStatusCd);
  return {
    iccid: scalar(iccid)?.toUpperCase() || null,
    msisdn: scalar(accessNumber) || null,
    imsi: scalar(imsi) || null,
    imei: scalar(imei) || null,
    ...(main ? { status: telecom5gStatus(main) } : {}),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

/** A flow item: `flowAmount` in `unit` (seen: MB). */
function flow(item: Item): UsageValue {
  const unit = (scalar(item.unit) ?? 'MB').toUpperCase();
  const amount = scalar(item.flowAmount);
  // guess: KB may appear; any other unit is unknown rather than misread.
  if (unit === 'KB') return { bytes: kbToBytes(amount) };
  if (unit !== 'MB') return { bytes: null };
  return { bytes: mbToBytes(amount) };
}

/** A CST `yyyy-MM-dd HH:mm:ss` as epoch ms. */
function cstInstant(value: string | null): number | null {
  if (!value || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) return null;
  const instant = Date.parse(`${value.replace(' ', 'T')}+08:00`);
  return Number.isNaN(instant) ? null : instant;
}

/** A cradStatus entry. guess: statusCd, statusName, changeTime (CST). */
function historyEvent(item: Item): SupplierCardEvent {
  const code = scalar(item.statusCd);
  return {
    at: cstInstant(scalar(item.changeTime)),
    kind: 'status',
    status: code ? telecom5gStatus(code) : null,
    description: scalar(item.statusName),
    details: item,
  };
}

/** RD001. guess: data.diagnosisList[] of {itemName, itemResult ("0" pass, "1" fail), itemDesc}. */
function diagnosis(answer: Telecom5gAnswer): SupplierDiagnosis {
  const data = (answer.body.data ?? {}) as Item;
  const list = recordsIn(data.diagnosisList);
  return {
    checks: list.map((entry) => {
      const result = scalar(entry.itemResult);
      return {
        name: scalar(entry.itemName) ?? 'unnamed',
        ok: result === '0' ? true : result === '1' ? false : null,
        message: scalar(entry.itemDesc),
      };
    }),
    details: data,
  };
}

/** Results in the order of the cards asked. */
function order<T>(items: ItemResult<T>[], cards: CardRef[]): ItemResult<T>[] {
  const position = new Map<string, number>();
  cards.forEach((card, index) => {
    if (!position.has(card.key)) position.set(card.key, index);
  });
  return [...items].sort((a, b) => (position.get(a.key) ?? 0) - (position.get(b.key) ?? 0));
}
