import {
  compactDate,
  isCstDate,
  kbToBytes,
  parseIccid,
  parseImsi,
  parseMsisdn,
} from '../../domain/index.js';
import {
  type BatchResult,
  type Capability,
  type CardRef,
  type CardsOptions,
  type DailyUsageOptions,
  groupByIdentifier,
  type IdentifierField,
  type ItemResult,
  missingIdentifierItem,
  type SupplierAdapterV1,
  type SupplierCard,
  SupplierError,
  type SupplierLimits,
  type SupplierWarning,
  type UsageValue,
} from '../spec/index.js';
import type { OnelinkV2Answer, OnelinkV2Client, OnelinkV2Numbers } from './onelink-v2-client.js';
import {
  ONELINK_V2_BATCH_LIMIT,
  ONELINK_V2_DAILY_WINDOW_DAYS,
  onelinkV2Error,
} from './onelink-v2-protocol.js';
import { isOnelinkV2ItemOk, type OnelinkV2CardInfo } from './onelink-v2-wire.js';

/** The supplier type. */
export const ONELINK_V2_SUPPLIER = 'onelink-v2';

/** What the adapter needs: the account it speaks for and a client signed for it. */
export interface OnelinkV2AdapterOptions {
  accountId: string;
  client: OnelinkV2Client;
}

type Item = OnelinkV2CardInfo & { [key: string]: unknown };

/** Which identifier a card is asked by: ICCID (printed on the card), then MSISDN, then IMSI. */
const PREFERENCE: readonly IdentifierField[] = ['iccid', 'msisdn', 'imsi'];
const PARSERS = { iccid: parseIccid, msisdn: parseMsisdn, imsi: parseImsi } as const;
const WIRE_NAME = { iccid: 'iccids', msisdn: 'msisdns', imsi: 'imsis' } as const;

/**
 * The OneLink v2 adapter: `identities` through batchquerycardinfo and `usage.daily` through
 * batchgprsusedbydate, each offered when the account has that endpoint's ebid.
 */
export function createOnelinkV2Adapter(options: OnelinkV2AdapterOptions): SupplierAdapterV1 {
  const { accountId, client } = options;
  const capabilities = new Set<Capability>();
  const limits: SupplierLimits = { batchSize: {} };
  const adapter: SupplierAdapterV1 = {
    specificationVersion: 'v1',
    supplier: ONELINK_V2_SUPPLIER,
    accountId,
    capabilities,
    limits,
  };

  if (client.endpoints.has('batchquerycardinfo')) {
    capabilities.add('identities');
    limits.batchSize.identities = ONELINK_V2_BATCH_LIMIT;
    adapter.doGetIdentities = ({ cards, abortSignal }: CardsOptions) =>
      perCard(
        cards,
        (numbers) => client.batchquerycardinfo(numbers, { abortSignal }),
        onelinkV2SupplierCard,
      );
  }

  if (client.endpoints.has('batchgprsusedbydate')) {
    capabilities.add('usage.daily');
    limits.batchSize['usage.daily'] = ONELINK_V2_BATCH_LIMIT;
    limits.dailyUsageWindowDays = ONELINK_V2_DAILY_WINDOW_DAYS;
    adapter.doGetDailyUsage = async ({ cards, date, abortSignal }: DailyUsageOptions) => {
      if (!isCstDate(date)) {
        throw new SupplierError('invalid_argument', `"${date}" is not a CST date YYYY-MM-DD`, {
          retryable: false,
        });
      }
      const result = await perCard(
        cards,
        (numbers) =>
          client.batchgprsusedbydate(
            { ...numbers, query_date: compactDate(date) },
            { abortSignal },
          ),
        (item): UsageValue => ({ bytes: kbToBytes(item.gprs as string | null | undefined) }),
      );
      const unknown = result.items.filter((item) => item.ok && item.value.bytes === null).length;
      if (unknown > 0) {
        // The 2010 response example carries no GPRS field at all: unknown, never 0.
        result.warnings.push({
          type: 'partial-data',
          message: `${unknown} card(s) answered without GPRS on ${date}: bytes unknown (null)`,
        });
      }
      return result;
    };
  }

  return adapter;

  /**
   * Groups the cards by identifier, calls once per kind (the client chunks by 100), and matches
   * each answer item back to its cards by the identifier asked.
   */
  async function perCard<T>(
    cards: CardRef[],
    request: (numbers: OnelinkV2Numbers) => Promise<OnelinkV2Answer<Item>>,
    value: (item: Item) => T,
  ): Promise<BatchResult<T>> {
    const items: ItemResult<T>[] = [];
    const warnings: SupplierWarning[] = [];
    const bodies: unknown[] = [];
    const { groups, missing } = groupByIdentifier(cards, PREFERENCE);
    for (const card of missing) items.push(missingIdentifierItem(card, 'ICCID, MSISDN or IMSI'));

    for (const [field, members] of groups) {
      const asked = new Map<string, CardRef[]>();
      for (const { card, id } of members) {
        const parsed = PARSERS[field](id);
        if (!parsed.ok) {
          items.push({ key: card.key, ok: false, error: invalidIdentifier(parsed.error) });
          continue;
        }
        asked.set(parsed.value, [...(asked.get(parsed.value) ?? []), card]);
      }
      if (asked.size === 0) continue;
      const numbers = { [WIRE_NAME[field]]: [...asked.keys()] } as OnelinkV2Numbers;
      const answer = await request(numbers);
      bodies.push(...answer.bodies);
      warnings.push(...answer.warnings);

      const byNumber = new Map<string, Item>();
      for (const item of answer.result) {
        const number = normalized(field, item[field]);
        if (number && !byNumber.has(number)) byNumber.set(number, item);
      }
      for (const [number, askedCards] of asked) {
        const item = byNumber.get(number);
        for (const card of askedCards) items.push(itemResult(card, item, value));
      }
    }
    return { items: order(items, cards), warnings, response: { bodies } };
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
        error: new SupplierError('supplier_bad_response', 'OneLink v2 left this card out', {
          accountId,
          retryable: true,
        }),
      };
    }
    if (!isOnelinkV2ItemOk(item)) {
      return {
        key: card.key,
        ok: false,
        error: onelinkV2Error(item.status!, item.message, accountId),
      };
    }
    return { key: card.key, ok: true, value: value(item) };
  }
}

/** Identities from an answer item of either endpoint; numbers the supplier left out are null. */
export function onelinkV2SupplierCard(item: OnelinkV2CardInfo): SupplierCard {
  const { status: _status, message: _message, msisdn, iccid, imsi, ...extra } = item;
  return {
    iccid: normalized('iccid', iccid),
    msisdn: normalized('msisdn', msisdn),
    imsi: normalized('imsi', imsi),
    imei: null,
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

/** A number as simdock keeps it (ICCID letters upper-cased); verbatim when it does not parse. */
function normalized(field: IdentifierField, raw: unknown): string | null {
  if (typeof raw !== 'string' || raw === '') return null;
  const parsed = PARSERS[field](raw);
  return parsed.ok ? parsed.value : raw.trim();
}

function invalidIdentifier(cause: { message: string }): SupplierError {
  return new SupplierError('invalid_identifier', cause.message, { retryable: false, cause });
}

/** Results in the order of the cards asked. */
function order<T>(items: ItemResult<T>[], cards: CardRef[]): ItemResult<T>[] {
  const position = new Map<CardRef['key'], number>();
  cards.forEach((card, index) => {
    if (!position.has(card.key)) position.set(card.key, index);
  });
  return [...items].sort((a, b) => (position.get(a.key) ?? 0) - (position.get(b.key) ?? 0));
}
