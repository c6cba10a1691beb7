import { createHash } from 'node:crypto';
import type { StoredCard, ThrottlePolicy } from '../../store/index.js';
import { type EventInput, EventOutbox } from '../../store/repositories/event-outbox.js';
import { NoticesRepository } from '../../store/repositories/inbound-notices-repository.js';
import { SmsRepository, type StoredSms } from '../../store/repositories/sms-repository.js';
import type {
  SupplierDeliveryReport,
  SupplierNotice,
  SupplierUsageWarning,
} from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';
import { ingestUsageWarnings } from '../rules/alerts-supplier.js';

/**
 * What simdock does with the notices suppliers push: texts from cards become `sms_messages`
 * rows and `sms.received` events, delivery reports update the sent text and raise
 * `sms.delivery`, flow warnings raise `usage.threshold_crossed` and supplier alerts. Every effect is idempotent
 * (unique keys, stable event ids) and the notice is recorded last, so a notice the supplier
 * resends because simdock failed half-way is completed, and one resent after success changes
 * nothing.
 */

/** A refused notice, for `recordRejectedNotice`. */
export interface RejectedNotice {
  /** The supplier type. */
  supplier: string;
  reason: string;
  message: string;
  /** The body as received; stored for investigation (suppliers put no secret in a body). */
  body: string;
}

/** Where one-line reports of refused notices go (never with secrets). */
export type NoticeLogger = (line: string) => void;

/** `yyyy-MM-dd HH:mm:ss` in CST (the suppliers' notice times) → epoch ms; null if not that. */
export function cstTimeToInstant(value: string | null): number | null {
  if (!value) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return Date.UTC(year!, month! - 1, day!, hour! - 8, minute!, second!);
}

/** The account's card carrying this ICCID or MSISDN, or null. */
export async function findAccountCard(
  context: ServiceContext,
  account: string,
  identifiers: { iccid?: string | null; msisdn?: string | null },
): Promise<StoredCard | null> {
  for (const value of [identifiers.iccid, identifiers.msisdn]) {
    if (!value) continue;
    const matches = await context.store.cards.findByIdentifier(value);
    const match = matches.find((card) => card.account === account);
    if (match) return match;
  }
  return null;
}

function smsReceivedEvent(message: StoredSms, supplier: string, card: StoredCard | null) {
  return {
    type: 'sms.received',
    eventId: `sms.received:${message.account}:${message.supplierMessageId}`,
    subject: card?.iccid ?? message.msisdn ?? message.iccid,
    account: message.account,
    cardId: message.cardId,
    data: {
      supplier,
      smsId: message.id,
      supplierMessageId: message.supplierMessageId,
      msisdn: message.msisdn,
      iccid: card?.iccid ?? message.iccid,
      text: message.text,
      receivedAt: message.supplierAt === null ? null : new Date(message.supplierAt).toISOString(),
    },
  } satisfies EventInput;
}

/** Stores texts from cards once and raises one `sms.received` per new text. */
export async function storeInboundTexts(
  context: ServiceContext,
  account: string,
  supplier: string,
  texts: {
    messageId: string;
    iccid: string | null;
    msisdn: string | null;
    text: string;
    receivedAt: number | null;
  }[],
): Promise<StoredSms[]> {
  const sms = new SmsRepository(context.store, () => context.clock.now());
  const stored: StoredSms[] = [];
  for (const text of texts) {
    const card = await findAccountCard(context, account, text);
    const [inserted] = await sms.recordInbound([
      {
        account,
        cardId: card?.id ?? null,
        supplierMessageId: text.messageId,
        msisdn: text.msisdn ?? card?.msisdn ?? null,
        iccid: text.iccid ?? card?.iccid ?? null,
        text: text.text,
        supplierAt: text.receivedAt,
      },
    ]);
    if (!inserted) continue;
    stored.push(inserted);
    await outbox(context).emit([smsReceivedEvent(inserted, supplier, card)]);
  }
  return stored;
}

/** Applies one delivery report and raises `sms.delivery` once per report. */
async function storeDelivery(
  context: ServiceContext,
  account: string,
  report: SupplierDeliveryReport,
): Promise<void> {
  const card = await findAccountCard(context, account, report);
  const sms = new SmsRepository(context.store, () => context.clock.now());
  const changed = await sms.recordDelivery({
    account,
    supplierMessageId: report.messageId,
    cardId: card?.id ?? null,
    delivered: report.delivered,
    supplierCode: report.supplierCode,
    supplierAt: report.at,
  });
  await outbox(context).emit([
    {
      type: 'sms.delivery',
      eventId: `sms.delivery:${account}:${report.dedupeKey}`,
      subject: card?.iccid ?? report.msisdn ?? report.iccid,
      account,
      cardId: card?.id ?? null,
      data: {
        supplierMessageId: report.messageId,
        delivered: report.delivered,
        supplierCode: report.supplierCode,
        smsIds: changed.map((message) => message.id),
        at: report.at === null ? null : new Date(report.at).toISOString(),
      },
    },
  ]);
}

/**
 * Applies a verified supplier notice (texts from cards, delivery reports, usage warnings) and
 * records it.
 */
export async function applySupplierNotice(
  context: ServiceContext,
  account: string,
  supplier: string,
  notice: SupplierNotice,
): Promise<void> {
  if (notice.inboundTexts) {
    await storeInboundTexts(context, account, supplier, notice.inboundTexts);
  }
  for (const report of notice.deliveryReports ?? []) {
    await storeDelivery(context, account, report);
  }
  if (notice.usageWarnings) {
    await emitUsageWarnings(context, account, supplier, notice.usageWarnings);
  }
  await new NoticesRepository(context.store, () => context.clock.now()).record({
    account,
    kind: notice.kind,
    dedupeKey: notice.dedupeKey,
    payload: notice.payload,
    verified: true,
  });
}

async function emitUsageWarnings(
  context: ServiceContext,
  account: string,
  supplier: string,
  warnings: readonly SupplierUsageWarning[],
): Promise<void> {
  for (const warning of warnings) {
    const card = await findAccountCard(context, account, { msisdn: warning.msisdn });
    await outbox(context).emit([
      {
        type: 'usage.threshold_crossed',
        eventId: `usage.threshold_crossed:${account}:${warning.dedupeKey}`,
        subject: card?.iccid ?? warning.msisdn,
        account,
        cardId: card?.id ?? null,
        data: {
          source: 'supplier',
          supplier,
          msisdn: warning.msisdn,
          plan: warning.plan,
          planBytes: warning.planBytes,
          nearBytes: warning.nearBytes,
          overBytes: warning.overBytes,
          usedBytes: warning.usedBytes,
          cycleStart: warning.cycleStart,
          cycleEnd: warning.cycleEnd,
          near: warning.near,
          over: warning.over,
        },
      },
    ]);
  }
  // The alerts keep one alert per card and cycle (stable keys): a resent notice adds none.
  await ingestUsageWarnings(context, account, warnings);
}

/** How much of refused notices is kept per account. */
export const REFUSAL_BOUNDS = {
  /** Refusals kept with (part of) their body; past this only a count grows. */
  cap: 200,
  /** Refusals are kept a week. */
  keepMs: 7 * 86_400_000,
  /** The part of a refused body kept for investigation. */
  bodyChars: 1024,
};

/**
 * Records a refused notice within bounds (the first `REFUSAL_BOUNDS.cap` of an account with
 * the start of their body, once per identical body, for a week; past the cap only a count) and
 * logs one line per stored refusal naming the account, supplier and reason — never the body,
 * which may carry card numbers.
 */
export async function recordRejectedNotice(
  context: ServiceContext,
  account: string,
  rejected: RejectedNotice,
  log: NoticeLogger,
): Promise<void> {
  const digest = createHash('sha256').update(rejected.body).digest('hex').slice(0, 32);
  const outcome = await new NoticesRepository(context.store, () =>
    context.clock.now(),
  ).recordRefusal(
    {
      account,
      kind: `${rejected.supplier}:rejected`,
      dedupeKey: `rejected:${digest}`,
      payload: {
        body: rejected.body.slice(0, REFUSAL_BOUNDS.bodyChars),
        bytes: Buffer.byteLength(rejected.body),
        message: rejected.message.slice(0, 500),
      },
      rejectedReason: rejected.reason.slice(0, 100),
    },
    REFUSAL_BOUNDS,
  );
  if (outcome !== 'stored') return;
  log(
    `simdock: refused a ${rejected.supplier} notice for account ${account}: ${rejected.reason} (${rejected.message})`,
  );
}

/**
 * Refused callbacks per source address: 30 in a minute are heard, then each further refusal
 * stops the address being heard for a delay that doubles (1 s up to 10 min).
 */
export const CALLBACK_SOURCE_POLICY: ThrottlePolicy = {
  windowMs: 60_000,
  free: 30,
  baseDelayMs: 1_000,
  maxDelayMs: 10 * 60_000,
};

const CALLBACK_SOURCE = 'callback-source';

/** Seconds until callbacks from `address` are heard again (0: now). */
export async function callbackSourceBlocked(
  context: ServiceContext,
  address: string,
): Promise<number> {
  const state = await context.store.throttles.get(CALLBACK_SOURCE, address, CALLBACK_SOURCE_POLICY);
  return state.blockedUntil === 0
    ? 0
    : Math.max(1, Math.ceil((state.blockedUntil - context.clock.now()) / 1000));
}

/** Counts a refused callback from `address`; logs once when the address starts being blocked. */
export async function countCallbackRefusal(
  context: ServiceContext,
  address: string,
  log: NoticeLogger,
): Promise<void> {
  const state = await context.store.throttles.fail(
    CALLBACK_SOURCE,
    address,
    CALLBACK_SOURCE_POLICY,
  );
  if (state.failures === CALLBACK_SOURCE_POLICY.free + 1) {
    log(
      `simdock: ${state.failures} refused callbacks from ${address} within a minute; its callbacks are answered 429 for a while`,
    );
  }
}

function outbox(context: ServiceContext): EventOutbox {
  return new EventOutbox(context.store, () => context.clock.now());
}
