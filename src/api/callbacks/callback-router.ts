import { timingSafeEqual } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { ServiceContext } from '../../services/context.js';
import {
  applyM2mNotice,
  applyQuectelNotice,
  m2mRejection,
  type NoticeLogger,
  recordRejectedNotice,
} from '../../services/events/inbound-notices.js';
import type { StoredAccount } from '../../store/index.js';
import { createM2mNoticeApp } from '../../suppliers/m2m10086/index.js';
import { createQuectelNoticeApp } from '../../suppliers/quectel/index.js';

/**
 * The addresses suppliers push notices to, one set per account (mounted under `/callbacks`):
 *
 * - `POST /<accountId>/m2m`: the M2M platform's `notice_url` and `flowmonitor_url`
 *   (m2m10086-api-v3.txt §3), signed with the account's password; answered exactly `OK` once
 *   stored.
 * - `POST /<accountId>/quectel/sms`, `/quectel/orders` or `/quectel`: Quectel's SMS report/inbox
 *   and order-result callbacks (quectel-connectivity-api-v3.15.md §2.3.6, §2.5.6), answered
 *   `success` and `{"code":200,"msg":""}`. Quectel signs no callback: register the URL with
 *   `?token=<callbackToken>` on the portal, where `callbackToken` is an account setting.
 *
 * Refused notices are recorded (`supplier_notices`, verified false) and logged in one line.
 */
export interface CallbackRouterOptions {
  /** Where refusals are reported (default: standard error). */
  log?: NoticeLogger;
}

/** The Quectel setting holding the token callbacks must carry. */
export const QUECTEL_CALLBACK_TOKEN_SETTING = 'callbackToken';

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

  router.post('/:accountId/m2m', async (http) => {
    const accountId = http.req.param('accountId');
    const account = await accountOf(accountId, 'm2m10086');
    if (!account) return http.text('unknown account', 404);
    const password = account.secrets.password;
    if (!password) return http.text('account has no password', 500);
    const app = createM2mNoticeApp({
      password,
      onNotice: (notice) => applyM2mNotice(context, accountId, notice),
      onRejected: (rejected) =>
        recordRejectedNotice(context, accountId, m2mRejection(rejected), log),
    });
    return app.request('/', {
      method: 'POST',
      headers: { 'content-type': http.req.header('content-type') ?? 'application/json' },
      body: await http.req.text(),
    });
  });

  const quectel = async (http: Context) => {
    const accountId = http.req.param('accountId') ?? '';
    const account = await accountOf(accountId, 'quectel');
    if (!account) return http.text('unknown account', 404);
    const body = await http.req.text();
    const token = settingText(account, QUECTEL_CALLBACK_TOKEN_SETTING);
    const given = http.req.query('token') ?? '';
    if (!token || !sameText(given, token)) {
      await recordRejectedNotice(
        context,
        accountId,
        {
          supplier: 'quectel',
          reason: token ? 'bad_token' : 'no_token_configured',
          message: token
            ? 'the callback token does not match'
            : `set ${QUECTEL_CALLBACK_TOKEN_SETTING} on the account to accept callbacks`,
          body,
        },
        log,
      );
      return http.text('forbidden', 403);
    }
    const app = createQuectelNoticeApp({
      token,
      onNotice: (notice) => applyQuectelNotice(context, accountId, notice),
    });
    const kind = http.req.param('kind');
    const rest = kind ? `/${encodeURIComponent(kind)}` : '/';
    const response = await app.request(`${rest}?token=${encodeURIComponent(given)}`, {
      method: 'POST',
      headers: { 'content-type': http.req.header('content-type') ?? 'application/json' },
      body,
    });
    if (response.status === 400) {
      const message = await response.clone().text();
      await recordRejectedNotice(
        context,
        accountId,
        { supplier: 'quectel', reason: 'malformed', message, body },
        log,
      );
    }
    return response;
  };
  router.post('/:accountId/quectel', quectel);
  router.post('/:accountId/quectel/:kind', quectel);
  return router;
}

function settingText(account: StoredAccount, name: string): string | null {
  const value = account.secrets[name] ?? account.settings[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

function sameText(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}
