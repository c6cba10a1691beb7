import { type Context, Hono } from 'hono';
import type { ServiceContext } from '../../services/context.js';
import {
  applySupplierNotice,
  callbackSourceBlocked,
  countCallbackRefusal,
  type NoticeLogger,
  recordRejectedNotice,
} from '../../services/events/inbound-notices.js';
import type { StoredAccount } from '../../store/index.js';
import type { SupplierNoticeHandler } from '../../suppliers/spec/index.js';
import { clientAddress } from '../api-env.js';

/**
 * The addresses suppliers push notices to, one set per account (mounted under `/callbacks`):
 * every supplier type of the catalog with a notice handler gets `POST /<accountId>/<path>`
 * (and `/<path>/<subpath>` where it has some). Today:
 *
 * - `POST /<accountId>/m2m`: the M2M platform's `notice_url` and `flowmonitor_url`
 *   (m2m10086-api-v3.txt §3), signed with the account's password; answered exactly `OK` once
 *   stored.
 * - `POST /<accountId>/quectel/sms`, `/quectel/orders` or `/quectel`: Quectel's SMS report/inbox
 *   and order-result callbacks (quectel-connectivity-api-v3.15.md §2.3.6, §2.5.6), answered
 *   `success` and `{"code":200,"msg":""}`. Quectel signs no callback: register the URL with
 *   `?token=<callbackToken>` on the portal, where `callbackToken` is an account setting.
 *
 * Refused notices are kept within bounds (`recordRejectedNotice`: the first ones of an account
 * with the start of their body for a week, past the cap only a count) and logged in one line
 * each while kept. A source address whose callbacks keep being refused is answered 429 with
 * `Retry-After` for a doubling delay, before its body is read (`CALLBACK_SOURCE_POLICY`,
 * counted in the database, so every process sees it). A callback that arrives without a socket
 * (delivered in-process: `app.request`, an embedding server, a test) is counted under
 * `in-process:<accountId>`, so the bound holds for it too (`callbackSource`).
 */
export interface CallbackRouterOptions {
  /** Where refusals are reported (default: standard error). */
  log?: NoticeLogger;
}

/**
 * Whom refused callbacks are counted against: the socket's address, or, for a callback that
 * arrived in-process with no socket, the account it names (`in-process:<accountId>`).
 * `X-Forwarded-For` is never used: nothing here says which proxy to trust, and a client could
 * name any address to escape its count.
 */
export function callbackSource(http: Context, accountId: string): string {
  return clientAddress(http) ?? `in-process:${accountId}`;
}

export function createCallbackRouter(
  context: ServiceContext,
  options: CallbackRouterOptions = {},
): Hono {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const router = new Hono();

  const accountOf = async (id: string, type: string): Promise<StoredAccount | null> => {
    const account = await context.store.accounts.get(id);
    return account?.enabled && account.type === type ? account : null;
  };

  const mount = (type: string, handler: SupplierNoticeHandler) => {
    const receive = async (http: Context) => {
      const accountId = http.req.param('accountId') ?? '';
      const source = callbackSource(http, accountId);
      const retryAfter = await callbackSourceBlocked(context, source);
      if (retryAfter > 0) {
        http.header('Retry-After', String(retryAfter));
        return http.text('too many refused callbacks from this address', 429);
      }
      const account = await accountOf(accountId, type);
      if (!account) return http.text('unknown account', 404);
      return handler.handle({
        subpath: http.req.param('kind') ?? '',
        query: http.req.query(),
        contentType: http.req.header('content-type') ?? 'application/json',
        body: await http.req.text(),
        settings: { ...account.settings, ...account.secrets },
        onNotice: (notice) => applySupplierNotice(context, accountId, type, notice),
        onRejected: async (rejected) => {
          await countCallbackRefusal(context, source, log);
          await recordRejectedNotice(context, accountId, { supplier: type, ...rejected }, log);
        },
      });
    };
    router.post(`/:accountId/${handler.path}`, receive);
    if (handler.subpaths) router.post(`/:accountId/${handler.path}/:kind`, receive);
  };
  for (const type of context.catalog.types()) {
    const handler = context.catalog.get(type).notices;
    if (handler) mount(type, handler);
  }
  return router;
}
