import type { CardStatus, CardStatusValue } from '../../domain/index.js';
import type { StoredCard } from '../../store/index.js';
import type { BulkAction, BulkItem } from '../../store/repositories/bulk-repository.js';
import {
  type BatchResult,
  type CardRef,
  LIFECYCLE_ACTIONS,
  type LifecycleAction,
  type SupplierAdapterV1,
} from '../../suppliers/spec/index.js';

/** What one card's supplier call gave: a new status, a supplier reference, or nothing more. */
export interface BulkCallValue {
  status?: CardStatusValue;
  supplierRef?: string | null;
}

/** A card of a chunk with the item it belongs to. */
export interface BulkTarget {
  item: BulkItem;
  card: StoredCard;
  /** The status the supplier reported after the action, once known. */
  newStatus?: CardStatusValue;
}

export function isLifecycleAction(action: BulkAction): action is LifecycleAction {
  return (LIFECYCLE_ACTIONS as readonly string[]).includes(action);
}

/** The statuses a lifecycle action leads to; empty when it leads nowhere simdock can check. */
export function targetStatuses(action: BulkAction): readonly CardStatus[] {
  switch (action) {
    case 'pause':
      return ['suspended'];
    case 'resume':
    case 'activate':
      return ['active'];
    case 'end-test':
      return ['active', 'inventory'];
    default:
      return [];
  }
}

/**
 * Why a card needs no call for this action, judged from its stored status (null when it does).
 * "already suspended" and the like: a retried job never pauses a card twice.
 */
export function alreadyThere(action: BulkAction, status: CardStatus): string | null {
  if (action === 'end-test') {
    return targetStatuses(action).includes(status) ? `not in its test period (${status})` : null;
  }
  return targetStatuses(action).includes(status) ? `already ${status}` : null;
}

/** Why this account cannot do the action at all (the card is skipped), or null. */
export function unsupportedReason(adapter: SupplierAdapterV1, action: BulkAction): string | null {
  const who = `account ${adapter.accountId} (${adapter.supplier})`;
  if (isLifecycleAction(action)) {
    if (!adapter.capabilities.has('lifecycle') || !adapter.doChangeStatus) {
      return `${who} offers no lifecycle actions`;
    }
    const allowed = adapter.limits.lifecycleActions;
    if (allowed && !allowed.includes(action)) {
      return `${who} cannot ${action} (it offers ${allowed.join(', ')})`;
    }
    return null;
  }
  if (action === 'sms') {
    return adapter.capabilities.has('sms.send') && adapter.doSendSms
      ? null
      : `${who} cannot send SMS`;
  }
  if (action === 'speed-limit' || action === 'speed-unlimit') {
    return adapter.doChangeSpeed ? null : `${who} sets no speed limits`;
  }
  if (action === 'data-cap-set' || action === 'data-cap-cancel') {
    return adapter.doSetDataCap ? null : `${who} offers no carrier-side data caps (达量断网)`;
  }
  return adapter.doPlaceOrders ? null : `${who} takes no orders`;
}

/** Cards per supplier call for the action on this account. */
export function batchSizeOf(adapter: SupplierAdapterV1, action: BulkAction): number {
  const size = isLifecycleAction(action)
    ? adapter.limits.batchSize.lifecycle
    : action === 'sms'
      ? adapter.limits.batchSize['sms.send']
      : 1;
  return Math.max(1, size ?? 1);
}

export function cardRefOf(card: StoredCard): CardRef {
  return { key: String(card.id), iccid: card.iccid, msisdn: card.msisdn, imsi: card.imsi };
}

/**
 * Calls the supplier for one chunk of cards. Lifecycle and SMS go through the contract
 * operations (SMS with each item's idempotency key); orders go to the Quectel extras with the
 * item's key as `externalId`, so a retry returns the first order instead of placing another.
 */
export async function callSupplier(
  adapter: SupplierAdapterV1,
  action: BulkAction,
  params: Record<string, unknown>,
  targets: readonly BulkTarget[],
  abortSignal?: AbortSignal,
): Promise<BatchResult<BulkCallValue>> {
  const cards = targets.map((target) => cardRefOf(target.card));
  if (isLifecycleAction(action)) {
    const result = await adapter.doChangeStatus!({ cards, action, abortSignal });
    return mapValues(result, (status) => ({ status }));
  }
  if (action === 'sms') {
    const idempotencyKeys = Object.fromEntries(
      targets.map((target) => [String(target.card.id), target.item.idempotencyKey]),
    );
    const result = await adapter.doSendSms!({
      cards,
      text: String(params.text),
      idempotencyKeys,
      abortSignal,
    });
    return mapValues(result, (value) => ({ supplierRef: value.messageId }));
  }
  if (action === 'speed-limit' || action === 'speed-unlimit') {
    const speedCode = action === 'speed-limit' ? String(params.speedCode) : null;
    const result = await adapter.doChangeSpeed!({ cards, speedCode, abortSignal });
    return mapValues(result, () => ({}));
  }
  if (action === 'data-cap-set' || action === 'data-cap-cancel') {
    // Setting the same cap twice leaves one cap: a resumed card may simply be sent again.
    const capBytes = action === 'data-cap-set' ? Number(params.capBytes) : null;
    const result = await adapter.doSetDataCap!({ cards, capBytes, abortSignal });
    return mapValues(result, () => ({}));
  }
  const idempotencyKeys = Object.fromEntries(
    targets.map((target) => [String(target.card.id), target.item.idempotencyKey]),
  );
  const result = await adapter.doPlaceOrders!({
    cards,
    kind: action === 'recharge' ? 'recharge' : 'renew',
    idempotencyKeys,
    abortSignal,
    ...(typeof params.remark === 'string' ? { remark: params.remark } : {}),
    ...(action === 'recharge' ? {} : { cycle: Number(params.cycle ?? 1) }),
    ...(params.months !== undefined ? { months: Number(params.months) } : {}),
    ...(params.productId !== undefined ? { productId: params.productId as string } : {}),
    ...(params.productName !== undefined ? { productName: String(params.productName) } : {}),
  });
  return mapValues(result, (value) => ({ supplierRef: value.orderNo }));
}

function mapValues<T>(
  result: BatchResult<T>,
  map: (value: T) => BulkCallValue,
): BatchResult<BulkCallValue> {
  return {
    ...result,
    items: result.items.map((item) => (item.ok ? { ...item, value: map(item.value) } : item)),
  };
}
