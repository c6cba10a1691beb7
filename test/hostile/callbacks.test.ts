import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentAppsRepository } from '../../src/store/repositories/agent-apps-repository.js';
import { AGENT_CODES, AGENT_DEFAULT_PATHS } from '../../src/suppliers/agent/index.js';
import { ApiHarness } from '../api-harness.js';
import {
  captureConsoleErrors,
  encodeLoosely,
  garbageJson,
  malformedJsonText,
  nastyString,
  propertyParameters,
  storeFingerprint,
} from './hostile-support.js';

const M2M_PASSWORD = 'm2m-callback-password';
const QUECTEL_TOKEN = 'quectel-callback-token';
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** Refused notices are recorded on purpose (verified false); nothing else may change. */
// Refusals are kept (bounded) and counted per source (`throttles`): nothing else may change.
const REFUSAL_TABLES = ['supplier_notices', 'throttles'];

/** A notice-like body: from the document's shape with any field spoiled, or anything at all. */
const noticeBody = fc.oneof(
  fc.record({
    requesttime: fc.oneof(fc.stringMatching(/^\d{22}$/), nastyString),
    msgtype: fc.constantFrom(
      'notice_smssend',
      'notice_smsreceive',
      'notice_flowmonitor',
      ' notice_flowmonitor ',
      'other',
    ),
    count: fc.oneof(fc.constantFrom('0', '1', '2', '-1', '999999999999'), nastyString),
    datas: fc.oneof(fc.array(garbageJson, { maxLength: 3 }), garbageJson),
  }),
  garbageJson,
);

/** Quectel callback bodies: the §2.3.6/§2.5.6 shapes spoiled, or anything. */
const quectelBody = fc.oneof(
  fc.record(
    {
      type: fc.constantFrom('inbox', 'report', 'other'),
      iccid: fc.oneof(fc.constant('89860317492038600001'), nastyString),
      msisdn: fc.oneof(fc.constant('1064991300001'), nastyString),
      sms_id: fc.oneof(fc.string({ maxLength: 10 }), garbageJson),
      content: garbageJson,
      status: fc.constantFrom('200', '400', 'x'),
      orderNo: fc.oneof(fc.string({ maxLength: 20 }), garbageJson),
      orderStatus: fc.oneof(fc.constantFrom(1, -1, 0), garbageJson),
      recievetime: fc.oneof(fc.constant('2024-11-26 10:00:00'), nastyString),
    },
    { requiredKeys: [] },
  ),
  garbageJson,
);

/** A raw body: JSON of a value, or malformed text. */
function raw(body: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: body.map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: malformedJsonText },
  );
}

/**
 * Supplier callbacks and the agent open API over hostile requests: never a 500; forged ones
 * (bad M2M sign, wrong or missing Quectel token, unsigned or mis-signed agent calls) store
 * nothing but the record of their refusal; signed ones with garbage bodies are refused cleanly.
 */
describe('callbacks and the agent open API over hostile requests', () => {
  let api: ApiHarness;
  let agent: { appId: string; secret: string };
  const internalErrors: string[] = [];

  beforeAll(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
    await api.store.accounts.upsert({
      id: 'm2m-1',
      type: 'm2m10086',
      settings: { baseUrl: 'http://m2m.test', partnercode: 'p', servicecode: 's' },
      secrets: { password: M2M_PASSWORD },
    });
    await api.store.accounts.upsert({
      id: 'quectel-1',
      type: 'quectel',
      settings: { appKey: 'a' },
      secrets: { secret: 's', callbackToken: QUECTEL_TOKEN },
    });
    await api.store.cards.importCards('m2m-1', 'm2m10086', [{ msisdn: '1064837284388' }]);
    await api.store.cards.importCards('quectel-1', 'quectel', [{ iccid: '89860317492038600001' }]);
    const created = await new AgentAppsRepository(api.store).create({
      tenantId: 'acme',
      name: 'hostile',
      now: api.clock.now(),
    });
    agent = { appId: created.app.appId, secret: created.secret };
  });
  afterAll(async () => {
    await api.close();
    expect(internalErrors).toEqual([]);
  });

  let sources = 0;
  async function post(path: string, body: string, headers: Record<string, string>) {
    // Each hostile request from an address of its own: refusals per source are bounded (429
    // past 30 a minute, callback-flood.test.ts); here every body is judged on its own.
    sources += 1;
    const incoming = { socket: { remoteAddress: `10.1.${sources >> 8}.${sources & 255}` } };
    const { value: response, lines } = await captureConsoleErrors(async () =>
      api.app.request(path, { method: 'POST', headers, body }, { incoming }),
    );
    internalErrors.push(...lines);
    const text = await response.text();
    expect(response.status, `${path} ${body.slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(
      500,
    );
    return { status: response.status, text };
  }

  async function expectOnlyRefusals(before: Record<string, string>, context: string) {
    expect(await storeFingerprint(api.store, REFUSAL_TABLES), context).toEqual(before);
    const notices = await api.store.db
      .withTables<{ supplier_notices: { verified: number } }>()
      .selectFrom('supplier_notices')
      .select('verified')
      .execute();
    for (const notice of notices) expect(Number(notice.verified), context).toBe(0);
  }

  it('stores nothing from an M2M notice whose sign does not verify', async () => {
    await fc.assert(
      fc.asyncProperty(
        noticeBody,
        fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), nastyString),
        async (notice, sign) => {
          const body =
            typeof notice === 'object' && notice !== null && !Array.isArray(notice)
              ? { ...notice, sign }
              : notice;
          const before = await storeFingerprint(api.store, REFUSAL_TABLES);
          const text = JSON.stringify(body) ?? 'null';
          const answer = await post('/callbacks/m2m-1/m2m', text, {
            'content-type': 'application/json',
          });
          expect(answer.text).not.toBe('OK');
          await expectOnlyRefusals(before, text);
        },
      ),
      propertyParameters(40),
    );
  });

  it('refuses Quectel callbacks without the right token, whatever the body', async () => {
    await fc.assert(
      fc.asyncProperty(
        raw(quectelBody),
        fc.constantFrom('', '/sms', '/orders', '/other'),
        fc.oneof(fc.constant(undefined), nastyString, fc.constant(`${QUECTEL_TOKEN}x`)),
        async (text, kind, token) => {
          const before = await storeFingerprint(api.store, REFUSAL_TABLES);
          const query = token === undefined ? '' : `?token=${encodeLoosely(token)}`;
          const answer = await post(`/callbacks/quectel-1/quectel${kind}${query}`, text, {
            'content-type': 'application/json',
          });
          expect(answer.status, text).toBe(kind === '/other' ? answer.status : 403);
          await expectOnlyRefusals(before, text);
        },
      ),
      propertyParameters(40),
    );
  });

  it('answers signed M2M notices and tokened Quectel callbacks with garbage below 500', async () => {
    await fc.assert(
      fc.asyncProperty(noticeBody, raw(quectelBody), async (notice, quectelText) => {
        const fields =
          typeof notice === 'object' && notice !== null && !Array.isArray(notice)
            ? (notice as Record<string, unknown>)
            : null;
        const signed = fields
          ? {
              ...fields,
              sign: md5(
                `${M2M_PASSWORD}${String(fields.requesttime)}${String(fields.msgtype)}${String(fields.count)}`,
              ),
            }
          : notice;
        await post('/callbacks/m2m-1/m2m', JSON.stringify(signed) ?? 'null', {
          'content-type': 'application/json',
        });
        for (const kind of ['/sms', '/orders']) {
          await post(`/callbacks/quectel-1/quectel${kind}?token=${QUECTEL_TOKEN}`, quectelText, {
            'content-type': 'application/json',
          });
        }
      }),
      propertyParameters(40),
    );
  });

  it('refuses unsigned and mis-signed agent open API calls, writing nothing', async () => {
    const operations = Object.values(AGENT_DEFAULT_PATHS);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations),
        fc.record(
          {
            appID: fc.oneof(fc.constant(agent.appId), nastyString),
            apiVersion: fc.constantFrom('2.0.0', '1.0', ''),
            traceID: fc.oneof(fc.stringMatching(/^[0-9a-z]{8,32}$/), nastyString),
            timestamp: fc.oneof(
              fc.constant(String(Math.floor(api.clock.now() / 1000))),
              fc.constant(String(Math.floor(api.clock.now() / 1000) - 3600)),
              nastyString,
            ),
            sign: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), nastyString),
          },
          { requiredKeys: [] },
        ),
        fc.dictionary(fc.constantFrom('iccids', 'msisdns', 'month', 'x'), nastyString),
        async (path, headers, form) => {
          const before = await storeFingerprint(api.store);
          const clean = Object.fromEntries(
            Object.entries(headers).filter(([, value]) => /^[\t\x20-\x7e]*$/.test(value)),
          );
          const answer = await post(path, new URLSearchParams(form).toString(), {
            ...clean,
            'content-type': 'application/x-www-form-urlencoded',
          });
          const envelope = JSON.parse(answer.text);
          expect(envelope.code, answer.text).not.toBe(AGENT_CODES.success);
          expect(envelope.code, answer.text).not.toBe(AGENT_CODES.systemError);
          expect(await storeFingerprint(api.store), answer.text).toEqual(before);
        },
      ),
      propertyParameters(40),
    );
  });

  it('answers signed agent calls with garbage forms in the envelope, never a system error', async () => {
    let trace = 0;
    const operations = Object.values(AGENT_DEFAULT_PATHS);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations),
        fc.dictionary(
          fc.oneof(
            fc.constantFrom('iccids', 'msisdns', 'iccid', 'msisdn', 'month', 'pageNo', 'pageSize'),
            nastyString,
          ),
          fc.oneof(
            fc.constantFrom('89860000000000000000', api.cards.acme.join(','), '202411', '1'),
            nastyString,
          ),
          { maxKeys: 4 },
        ),
        async (path, form) => {
          trace += 1;
          const traceId = `hostile${String(trace).padStart(8, '0')}`;
          const timestamp = String(Math.floor(api.clock.now() / 1000));
          const sign = md5(`${agent.appId}2.0.0${traceId}${timestamp}${agent.secret}`);
          const answer = await post(path, new URLSearchParams(form).toString(), {
            appID: agent.appId,
            apiVersion: '2.0.0',
            traceID: traceId,
            timestamp,
            sign,
            'content-type': 'application/x-www-form-urlencoded',
          });
          const envelope = JSON.parse(answer.text);
          expect(envelope.code, `${path} ${JSON.stringify(form)} → ${answer.text}`).not.toBe(
            AGENT_CODES.systemError,
          );
        },
      ),
      propertyParameters(40),
    );
  });
});
