import { errorMessage, SimdockError } from '../../domain/index.js';
import type { StoredSyncRun } from '../../store/index.js';
import { maskedAccount, type ServiceContext } from '../context.js';

/** An account as the API shows it: secrets masked, with its health. */
export interface AccountHealthView {
  id: string;
  type: string;
  name: string | null;
  enabled: boolean;
  settings: Record<string, unknown>;
  /** Secret field names with a mask; the values never leave the store. */
  secrets: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  health: {
    /** The latest sync run, or null before the first. */
    lastSyncRun: StoredSyncRun | null;
    /** Supplier calls this process made for the account since it started. */
    callsSinceStart: number;
    cards: number;
  };
}

/** The account with masked secrets and its health. */
export async function accountHealth(
  context: ServiceContext,
  accountId: string,
): Promise<AccountHealthView> {
  const account = await context.store.accounts.get(accountId);
  if (!account) {
    throw new SimdockError('not_found', `no account "${accountId}"`, {
      details: { account: accountId },
    });
  }
  const masked = maskedAccount(account);
  const [lastSyncRun] = await context.store.syncRuns.list({ account: accountId, limit: 1 });
  return {
    id: masked.id,
    type: masked.type,
    name: masked.name,
    enabled: masked.enabled,
    settings: masked.settings,
    secrets: masked.secrets,
    createdAt: new Date(masked.createdAt).toISOString(),
    updatedAt: new Date(masked.updatedAt).toISOString(),
    health: {
      lastSyncRun: lastSyncRun ?? null,
      callsSinceStart: context.callCounter(accountId).total,
      cards: await context.store.cards.count({ account: accountId }),
    },
  };
}

/** What one connection test found. */
export interface ConnectionTest {
  ok: boolean;
  /** The contract operation called (the cheapest the account offers). */
  operation: string;
  calls: number;
  durationMs: number;
  error: { code: string; message: string } | null;
}

/**
 * Tests an account with one cheap call through its adapter: the identities or status of one of
 * its cards (one card, one call), else the first page of its fleet list. A supplier failure is a
 * result (`ok: false` with the error's code), not an exception.
 */
export async function testAccountConnection(
  context: ServiceContext,
  accountId: string,
): Promise<ConnectionTest> {
  const adapter = await context.adapter(accountId);
  const [card] = await context.store.cards.listForSync(accountId, { limit: 1 });
  const reference = card
    ? { key: String(card.id), iccid: card.iccid, msisdn: card.msisdn, imsi: card.imsi }
    : null;
  let operation: string;
  let call: () => Promise<unknown>;
  if (reference && adapter.doGetIdentities) {
    operation = 'identities';
    call = () => adapter.doGetIdentities!({ cards: [reference] });
  } else if (reference && adapter.doGetStatus) {
    operation = 'status';
    call = () => adapter.doGetStatus!({ cards: [reference] });
  } else if (adapter.doListCards) {
    operation = 'inventory';
    call = () => adapter.doListCards!({});
  } else {
    throw new SimdockError(
      'unsupported',
      `account "${accountId}" has no card to test with and cannot list its fleet: import a card first`,
      { details: { account: accountId } },
    );
  }
  const counter = context.callCounter(accountId);
  const callsBefore = counter.total;
  const started = context.clock.now();
  let error: ConnectionTest['error'] = null;
  try {
    const result = (await call()) as { items?: { ok: boolean; error?: SimdockError }[] };
    const failed = result.items?.find((item) => !item.ok);
    // A card the supplier does not know still proves the credentials work.
    if (failed?.error && failed.error.code !== 'supplier_card_unknown') {
      error = { code: failed.error.code, message: failed.error.message };
    }
  } catch (thrown) {
    error = SimdockError.isInstance(thrown)
      ? { code: thrown.code, message: thrown.message }
      : { code: 'internal', message: errorMessage(thrown) };
  }
  return {
    ok: error === null,
    operation,
    calls: counter.total - callsBefore,
    durationMs: context.clock.now() - started,
    error,
  };
}
