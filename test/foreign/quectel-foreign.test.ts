import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cstMonth } from '../../src/domain/index.js';
import { CliSandbox, serveOnLoopback } from '../cli-harness.js';

/**
 * A Quectel router written here from quectel-connectivity-api-v3.15.md alone (not simdock's
 * simulator): form POST only (§1.7 (1), (3)), upper-case SHA1 over the sorted params wrapped in
 * the secret (§1.6.1), `t` within five minutes (§1.4), `card.list` pages (§2.1.4),
 * `cards.info` answered with the capital `List` and text numbers of the §2.1.6 example,
 * `cards.monthflow` in MB with decimals (§2.1.10), pause and resume (§2.4.3, §2.4.4).
 */
function documentOnlyRouter() {
  const appKey = '000001';
  const secret = 'abcdef';
  // 1,003 cards so that `card.list` needs two pages of 1000 (§2.1.4 "最大 1000").
  const cards = Array.from({ length: 1003 }, (_, index) => ({
    msisdn: `1064868${String(950000 + index)}`,
    iccid: `8986062343202${String(3800000 + index)}`,
    imsi: `46011174${String(7400000 + index)}`,
    status: index % 5 === 4 ? '停机' : index % 7 === 3 ? '测试期正常' : '正常',
    monthflow: Math.round(((index * 37) % 2000) * 1.013 * 100) / 100,
  }));
  const calls: string[] = [];
  const signOf = (params: Record<string, string>) => {
    const names = Object.keys(params)
      .filter((name) => name !== 'sign')
      .sort();
    const text = `${secret}${names.map((name) => `${name}${params[name]}`).join('')}${secret}`;
    return createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase();
  };
  const find = (params: Record<string, string>) =>
    cards.find((card) =>
      params.iccid ? card.iccid === params.iccid : card.msisdn === params.msisdn,
    );
  const app = new Hono();
  app.all('/openapi/router', async (c) => {
    if (c.req.method !== 'POST') return c.json({ resultCode: 70031, errorMessage: 'unauthorized' });
    const type = c.req.header('content-type') ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      return c.json({ resultCode: 1, errorMessage: '不支持 JSON 格式参数' });
    }
    const params = Object.fromEntries(new URLSearchParams(await c.req.text()));
    calls.push(params.method ?? '');
    if (params.appKey !== appKey || params.sign !== signOf(params)) {
      return c.json({ resultCode: 1, errorMessage: '签名错误' });
    }
    if (Math.abs(Number(params.t) - Date.now() / 1000) > 300) {
      return c.json({ resultCode: 1, errorMessage: '时间戳超出范围' });
    }
    const numbers = (params.iccids ?? params.msisdns ?? '').split(',');
    const byIccid = params.iccids !== undefined;
    const listed = numbers.flatMap((number) => {
      const card = cards.find((each) => (byIccid ? each.iccid : each.msisdn) === number);
      return card ? [card] : [];
    });
    switch (params.method) {
      case 'fc.function.card.list': {
        const page = Number(params.pageNo ?? 1);
        const pageSize = Number(params.pageSize ?? 100);
        if (pageSize > 1000) return c.json({ resultCode: 1, errorMessage: '分页大小最大 1000' });
        const slice = cards.slice((page - 1) * pageSize, page * pageSize);
        return c.json({
          resultCode: 0,
          errorMessage: null,
          page: {
            page,
            pageSize,
            totalCount: cards.length,
            totalPage: Math.ceil(cards.length / pageSize),
          },
          cards: slice.map((card) => ({
            iccid: card.iccid,
            imsi: card.imsi,
            msisdn: card.msisdn,
            carrier: '中国电信',
            setMeal: 'NB-1 年期',
            active: '激活',
            monthflow: card.monthflow,
            flow: card.monthflow,
            status: card.status,
            pausereason: card.status === '停机' ? '主动停机' : '',
            islock: '0',
            gprsstatus: '1',
            realnamestatus: 0,
            companyid: 123,
          })),
        });
      }
      case 'fc.function.cards.info':
        if (numbers.length > 1000) return c.json({ resultCode: 1, errorMessage: '最多 1000 张' });
        return c.json({
          resultCode: 0,
          errorMessage: null,
          List: listed.map((card) => ({
            islock: '0',
            gprsstatus: '1',
            realnamestatus: '0',
            setMeal: 'NB-1 年期',
            active: '激活',
            imsi: card.imsi,
            iccid: card.iccid,
            supplier: '中国电信',
            msisdn: card.msisdn,
            networkType: 'NB',
            monthflow: String(card.monthflow),
            flow: String(card.monthflow),
            status: card.status,
            pausereason: '',
            companyid: '123',
          })),
        });
      case 'fc.function.cards.monthflow':
        if (!/^\d{6}$/.test(params.month ?? '')) {
          return c.json({ resultCode: 1, errorMessage: 'month 格式: yyyyMM' });
        }
        return c.json({
          resultCode: 0,
          errorMessage: null,
          data: listed.map((card) => ({
            number: byIccid ? card.iccid : card.msisdn,
            monthflow: card.monthflow,
            cycleflow: card.monthflow,
          })),
        });
      case 'fc.function.card.pause':
      case 'fc.function.card.resume': {
        const card = find(params);
        if (!card) return c.json({ resultCode: 1, errorMessage: '卡号不存在' });
        const pausing = params.method === 'fc.function.card.pause';
        if (pausing ? card.status !== '正常' : card.status !== '停机') {
          return c.json({ resultCode: 1, errorMessage: `卡状态为${card.status}, 不能操作` });
        }
        card.status = pausing ? '停机' : '正常';
        return c.json({ resultCode: 0, errorMessage: null });
      }
      default:
        return c.json({ resultCode: 1, errorMessage: `unknown method ${params.method}` });
    }
  });
  return { app, appKey, secret, cards, calls, signOf };
}

describe('CLI against a Quectel router built from the document', () => {
  const sandbox = new CliSandbox();
  const router = documentOnlyRouter();
  let close: () => Promise<void>;

  beforeAll(async () => {
    const served = await serveOnLoopback(router.app);
    close = served.close;
    sandbox.environment.QUECTEL_SECRET = router.secret;
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: quectel
    type: quectel
    baseUrl: ${served.origin}/openapi/router
    appKey: "${router.appKey}"
    secret: \${QUECTEL_SECRET}
`,
    );
  });
  afterAll(async () => {
    await close();
    sandbox.remove();
  });

  it('checks its own signature against the document example (§1.6.2)', () => {
    expect(
      router.signOf({
        appKey: '000001',
        method: 'fc.function.card.info',
        msisdn: '1064868950247',
        t: '1732605510',
      }),
    ).toBe('7AAD18B95E908CB8F80AA3518A7E65426D4C7BBB');
  });

  it('imports, syncs and lists identities, statuses (normalized and raw) and bytes', async () => {
    const [first, second] = router.cards;
    sandbox.write('cards.txt', `${first!.iccid}\n${second!.msisdn}\n`);
    const imported = await sandbox.run('cards', 'import', 'cards.txt', '--account', 'quectel');
    expect(imported.code).toBe(0);

    const summary = await sandbox.json<{ status: string; failed: number }>('sync');
    expect(summary).toMatchObject({ status: 'succeeded', failed: 0 });
    // Two list pages of 1000 (§2.1.4), then batch info and batch month flow.
    expect(router.calls.filter((method) => method === 'fc.function.card.list')).toHaveLength(2);
    expect(router.calls).toContain('fc.function.cards.info');
    expect(router.calls).toContain('fc.function.cards.monthflow');

    const list = await sandbox.json<{
      cards: { iccid: string; msisdn: string; imsi: string; status: string; statusRaw: string }[];
    }>('cards', 'list', '--account', 'quectel', '--limit', '2000');
    expect(list.cards).toHaveLength(router.cards.length);
    const normalized = { 正常: 'active', 停机: 'suspended', 测试期正常: 'test' } as const;
    for (const card of router.cards) {
      const stored = list.cards.find((each) => each.iccid === card.iccid);
      expect(stored).toMatchObject({
        msisdn: card.msisdn,
        imsi: card.imsi,
        status: normalized[card.status as keyof typeof normalized],
        statusRaw: card.status,
      });
    }

    const withDecimals = router.cards.find((card) => !Number.isInteger(card.monthflow))!;
    const shown = await sandbox.json<{
      msisdn: string;
      usage: { month: string; bytes: number; source: string };
    }>('cards', 'show', withDecimals.iccid);
    expect(shown.msisdn).toBe(withDecimals.msisdn);
    expect(shown.usage).toEqual({
      month: cstMonth(Date.now()),
      bytes: Math.round(withDecimals.monthflow * 1024 * 1024),
      source: 'monthly',
      cycle: expect.objectContaining({ calendarMonth: true, month: cstMonth(Date.now()) }),
    });
  });

  it('pauses and resumes a card on the router, and the status follows', async () => {
    const card = router.cards.find((each) => each.status === '正常')!;
    const paused = await sandbox.run('cards', 'pause', card.iccid, '--yes', '--json');
    expect(paused.code).toBe(0);
    expect(card.status).toBe('停机');
    const afterPause = await sandbox.json<{ status: string; statusRaw: string }>(
      'cards',
      'show',
      card.msisdn,
    );
    expect(afterPause).toMatchObject({ status: 'suspended', statusRaw: '停机' });

    const resumed = await sandbox.run('cards', 'resume', card.msisdn, '--yes', '--json');
    expect(resumed.code).toBe(0);
    expect(card.status).toBe('正常');
    const afterResume = await sandbox.json<{ status: string; statusRaw: string }>(
      'cards',
      'show',
      card.iccid,
    );
    expect(afterResume).toMatchObject({ status: 'active', statusRaw: '正常' });
  });

  it('stops with a clear error when the secret is wrong', async () => {
    sandbox.environment.QUECTEL_SECRET = 'not-the-secret';
    const refused = await sandbox.run('sync');
    sandbox.environment.QUECTEL_SECRET = router.secret;
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/签名错误/);
  });
});
