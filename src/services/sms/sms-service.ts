import { randomBytes } from 'node:crypto';
import { SimdockError } from '../../domain/index.js';
import type { StoredCard } from '../../store/index.js';
import { SmsRepository, type StoredSms } from '../../store/repositories/sms-repository.js';
import type { CardRef, InboundSms } from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';
import { storeInboundTexts } from '../events/inbound-notices.js';
import { findCard } from '../inventory/cards.js';

/**
 * Texts to and from cards: `sendSms` through the card's supplier, `pullInboundSms` for
 * suppliers that hand out texts on request, and a card's thread. Notices pushed by suppliers
 * are handled in inbound-notices.ts and land in the same table.
 */

/** An idempotency key: 16 letters and digits, the shape the M2M `sendkey` needs (§2.3.1). */
export function newSmsIdempotencyKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function cardRef(card: StoredCard): CardRef {
  return { key: String(card.id), iccid: card.iccid, msisdn: card.msisdn, imsi: card.imsi };
}

export interface SendSmsResult {
  message: StoredSms;
  /** False when the idempotency key named a text already sent: nothing was sent again. */
  sent: boolean;
}

/**
 * Sends `text` to one card through its account's supplier. The text is stored (`queued`) before
 * the call and updated after it (`sent` with the supplier's message id, or `failed` with the
 * supplier's code); the attempt is audited. A repeated `idempotencyKey` returns the stored text
 * without a second send, unless the earlier attempt never finished (still `queued`: a timeout
 * or a crash), in which case it is sent again with the same key (suppliers that deduplicate
 * keep it once). A `failed` text is final: send again with a new key.
 */
export async function sendSms(
  context: ServiceContext,
  /** The card, or its ICCID, MSISDN or IMSI (which must name one card: an ICCID present on two
   * accounts is a `conflict` listing both, so pass the card the caller picked). */
  cardOrIdentifier: string | StoredCard,
  text: string,
  actor: string,
  options: { idempotencyKey?: string } = {},
): Promise<SendSmsResult> {
  if (text.length === 0) throw new SimdockError('invalid_argument', 'the text is empty');
  const card =
    typeof cardOrIdentifier === 'string'
      ? await findCard(context, cardOrIdentifier)
      : cardOrIdentifier;
  const adapter = await context.adapter(card.account);
  if (!adapter.capabilities.has('sms.send') || !adapter.doSendSms) {
    throw new SimdockError(
      'unsupported',
      `account ${card.account} (${adapter.supplier}) cannot send texts to cards`,
      { details: { account: card.account, supplier: adapter.supplier } },
    );
  }
  const sms = new SmsRepository(context.store, () => context.clock.now());
  const key = options.idempotencyKey ?? newSmsIdempotencyKey();
  let message = await sms.byIdempotencyKey(card.account, key);
  if (message) {
    if (message.cardId !== card.id || message.text !== text) {
      throw new SimdockError(
        'conflict',
        `idempotency key ${key} was used for another text or card`,
        { details: { idempotencyKey: key, smsId: message.id } },
      );
    }
    if (message.status !== 'queued') return { message, sent: false };
  } else {
    message = await sms.queueOutbound({
      account: card.account,
      cardId: card.id,
      msisdn: card.msisdn,
      iccid: card.iccid,
      text,
      idempotencyKey: key,
      actor,
    });
  }
  const ref = cardRef(card);
  const smsId = message.id;
  const audit = (outcome: 'succeeded' | 'failed', details: Record<string, unknown>) =>
    context.store.audit.record({
      actor,
      action: 'sms.send',
      targetType: 'card',
      targetId: String(card.id),
      account: card.account,
      outcome,
      details: { smsId, idempotencyKey: key, characters: [...text].length, ...details },
    });
  try {
    const result = await adapter.doSendSms({
      cards: [ref],
      text,
      idempotencyKeys: { [ref.key]: key },
    });
    const item = result.items.find((entry) => entry.key === ref.key);
    if (!item) throw new SimdockError('internal', `the supplier returned no result for the card`);
    if (!item.ok) {
      message = await sms.markSent(message.id, {
        status: 'failed',
        supplierCode: item.error.supplierCode ?? null,
        error: item.error.message,
      });
      await audit('failed', { code: item.error.code, supplierCode: item.error.supplierCode });
      throw item.error;
    }
    message = await sms.markSent(message.id, {
      status: 'sent',
      supplierMessageId: item.value.messageId,
    });
    await audit('succeeded', { supplierMessageId: item.value.messageId });
    return { message, sent: true };
  } catch (error) {
    if (message.status === 'queued') {
      // A whole-call failure: the text stays queued under its key, so a retry reuses the key.
      await audit('failed', { error: error instanceof Error ? error.message : String(error) });
    }
    throw error;
  }
}

export interface PullInboundResult {
  account: string;
  /** Texts read from the supplier in this pull. */
  read: number;
  /** Texts stored for the first time. */
  stored: StoredSms[];
  warnings: string[];
}

/**
 * Reads the texts cards sent, for suppliers with `sms.inbound`. Suppliers that hand each text
 * out once (M2M) get a `persist` hook, so texts are stored before anything else happens;
 * suppliers that keep texts per card (OneLink v5) get the account's cards.
 */
export async function pullInboundSms(
  context: ServiceContext,
  accountId: string,
  options: { since?: number; limit?: number } = {},
): Promise<PullInboundResult> {
  const adapter = await context.adapter(accountId);
  if (!adapter.capabilities.has('sms.inbound') || !adapter.doReadInboundSms) {
    throw new SimdockError(
      'unsupported',
      `account ${accountId} (${adapter.supplier}) offers no pull of texts from cards; ` +
        'its texts arrive as notices',
      { details: { account: accountId, supplier: adapter.supplier } },
    );
  }
  const stored: StoredSms[] = [];
  const persist = async (messages: InboundSms[]) => {
    const texts = messages.map(inboundText);
    stored.push(...(await storeInboundTexts(context, accountId, adapter.supplier, texts)));
  };
  const cards = adapter.limits.inboundSmsByCard ? await accountCards(context, accountId) : [];
  const result = await adapter.doReadInboundSms({
    persist,
    ...(cards.length > 0 ? { cards } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  // Suppliers that ignore `persist` return the texts: storing again is a no-op for those it saw.
  await persist(result.messages);
  await context.store.audit.record({
    actor: 'sms.pull',
    action: 'sms.pull',
    targetType: 'account',
    targetId: accountId,
    account: accountId,
    outcome: 'succeeded',
    details: { read: result.messages.length, stored: stored.length },
  });
  return {
    account: accountId,
    read: result.messages.length,
    stored,
    warnings: result.warnings.map((warning) => warning.message),
  };
}

/** The fields of the contract's `InboundSms` that are stored. */
function inboundText(message: InboundSms) {
  return {
    messageId: message.messageId,
    msisdn: message.msisdn,
    iccid: message.iccid,
    text: message.text,
    receivedAt: message.receivedAt,
  };
}

async function accountCards(context: ServiceContext, accountId: string): Promise<CardRef[]> {
  const refs: CardRef[] = [];
  let afterId = 0;
  for (;;) {
    const page = await context.store.cards.listForSync(accountId, { afterId, limit: 1000 });
    refs.push(...page.map(cardRef));
    if (page.length < 1000) return refs;
    afterId = page[page.length - 1]!.id;
  }
}

/** A card's texts both ways, oldest first. */
export async function smsThread(
  context: ServiceContext,
  cardIdentifier: string,
  options: { limit?: number } = {},
): Promise<{ card: StoredCard; messages: StoredSms[] }> {
  const card = await findCard(context, cardIdentifier);
  const messages = await new SmsRepository(context.store).thread(card.id, options);
  return { card, messages };
}

/** A text in the JSON contract: times as ISO strings. */
export function smsView(message: StoredSms) {
  const iso = (instant: number | null) =>
    instant === null ? null : new Date(instant).toISOString();
  return {
    id: message.id,
    direction: message.direction,
    status: message.status,
    text: message.text,
    account: message.account,
    cardId: message.cardId,
    msisdn: message.msisdn,
    iccid: message.iccid,
    supplierMessageId: message.supplierMessageId,
    supplierCode: message.supplierCode,
    error: message.error,
    supplierAt: iso(message.supplierAt),
    createdAt: iso(message.createdAt),
    updatedAt: iso(message.updatedAt),
  };
}
