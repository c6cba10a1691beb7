import { cstToday, SimdockError } from '../../domain/index.js';
import type { Severity } from '../../domain/rules-model.js';
import type { StoredCard } from '../../store/index.js';
import { AlertsRepository, type StoredAlert } from '../../store/repositories/alerts-repository.js';
import { EventOutbox } from '../../store/repositories/event-outbox.js';
import type { SupplierUsageWarning } from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';

/** An alarm a supplier raised (a pushed notice, an alarm it reports). */
export interface SupplierAlarmInput {
  account: string;
  /** The cards concerned, by any identifier (ICCID, MSISDN, IMSI, IMEI); may be empty. */
  cards: readonly string[];
  /** What kind of alarm, e.g. `supplier.flow_over`. */
  kind: string;
  severity?: Severity;
  message: string;
  data?: Record<string, unknown>;
  /** Stable across the supplier's resends: the alarm is recorded once per key (and card). */
  dedupeKey: string;
  /** The cycle or day the alarm is about (default: today, CST). */
  cycle?: string;
}

/**
 * Records a supplier's alarm in the same alerts as the rules' (one per card of the account, or
 * one for the account when no card matches), once per dedupe key, and emits `alert.raised` for
 * each new one. Returns the alerts newly recorded.
 */
export async function ingestSupplierAlarm(
  context: ServiceContext,
  input: SupplierAlarmInput,
): Promise<StoredAlert[]> {
  const account = await context.store.accounts.get(input.account);
  if (!account) throw new SimdockError('not_found', `unknown account "${input.account}"`);
  const now = () => context.clock.now();
  const alerts = new AlertsRepository(context.store, now);
  const outbox = new EventOutbox(context.store, now);
  const cards = new Map<number, StoredCard>();
  for (const identifier of input.cards) {
    for (const card of await context.store.cards.findByIdentifier(identifier)) {
      if (card.account === input.account) cards.set(card.id, card);
    }
  }
  const subjects: (StoredCard | null)[] = cards.size ? [...cards.values()] : [null];
  const raised: StoredAlert[] = [];
  for (const card of subjects) {
    const label = card ? (card.iccid ?? card.msisdn ?? `card ${card.id}`) : input.cards.join(', ');
    const { alert, created } = await alerts.raise({
      cardId: card?.id ?? null,
      account: input.account,
      cycle: input.cycle ?? cstToday(context.clock.now()),
      dedupeKey: `supplier:${input.account}:${input.dedupeKey}${card ? `:card:${card.id}` : ''}`,
      source: `supplier:${account.type}`,
      kind: input.kind,
      severity: input.severity ?? 'warning',
      message: label ? `${label} ${input.message}` : input.message,
      data: { ...(input.data ?? {}), identifiers: input.cards },
    });
    if (!created) continue;
    raised.push(alert);
    await outbox.emit([
      {
        type: 'alert.raised',
        eventId: `alert:${alert.id}`,
        subject: card?.iccid ?? null,
        account: input.account,
        cardId: card?.id ?? null,
        data: {
          alertId: alert.id,
          kind: alert.kind,
          severity: alert.severity,
          message: alert.message,
          source: alert.source,
          ...alert.data,
        },
      },
    ]);
  }
  return raised;
}

/**
 * The alarm of one supplier usage warning (e.g. an M2M flow-monitor record,
 * m2m10086-api-v3.txt §3.2.2): `over` (the alarm line) is critical, `near` (the warning line) a
 * warning; the cycle is the plan's start.
 */
export function usageWarningAlarm(
  account: string,
  warning: SupplierUsageWarning,
): SupplierAlarmInput {
  const over = warning.over === true;
  const line = over ? warning.overBytes : warning.nearBytes;
  return {
    account,
    cards: warning.msisdn ? [warning.msisdn] : [],
    kind: over ? 'supplier.flow_over' : 'supplier.flow_near',
    severity: over ? 'critical' : 'warning',
    message: `reached the supplier's ${over ? 'alarm' : 'warning'} line${line !== null ? ` of ${line} bytes` : ''} (used ${warning.usedBytes ?? 'unknown'} bytes of plan ${warning.plan ?? 'unknown'})`,
    dedupeKey: warning.alarmKey,
    ...(warning.cycleStart ? { cycle: warning.cycleStart } : {}),
    data: {
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
  };
}

/** Feeds every supplier usage warning past a line into the alerts. */
export async function ingestUsageWarnings(
  context: ServiceContext,
  account: string,
  warnings: readonly SupplierUsageWarning[],
): Promise<StoredAlert[]> {
  const raised: StoredAlert[] = [];
  for (const warning of warnings) {
    if (warning.over !== true && warning.near !== true) continue;
    raised.push(...(await ingestSupplierAlarm(context, usageWarningAlarm(account, warning))));
  }
  return raised;
}
