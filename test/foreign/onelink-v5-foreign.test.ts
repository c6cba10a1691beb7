import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, compactDate, cstMonth, cstToday } from '../../src/domain/index.js';
import { CliSandbox, serveOnLoopback } from '../cli-harness.js';

const ok = (result: unknown[]) => ({ status: '0', message: '正确', result });
const refuse = (status: string, message: string) => ({ status, message, result: [] });

/**
 * A OneLink v5 server written here from PROTOCOL-NOTES.md (v5 section) alone, not simdock's
 * simulator: `get/token` with appid and password, business calls with `transid` and that token
 * (12021 otherwise), `_`-joined batches of at most 100, `queryDate` windows, `cardStatus` codes,
 * and `change/sim-status/batch` answering a `jobId` that `query/sim-batch-result` settles.
 */
function documentOnlyServer() {
  const appid = '100001';
  const password = 'Passw0rd';
  const cards = Array.from({ length: 250 }, (_, index) => ({
    msisdn: `14765${String(400_000 + index).padStart(8, '0')}`,
    iccid: `898604A2192290${String(100_000 + index)}`,
    imsi: `4600465${String(10_000_000 + index)}`,
    // Five cards wait for activation (07): a pause is refused for them.
    cardStatus: index % 50 === 7 ? '07' : '00',
  }));
  const kbOn = (index: number, date: string) => ((Number(date.slice(-2)) * 13 + index) % 400) + 0.5;
  const tokens = new Set<string>();
  const jobs = new Map<string, { jobStatus: string; resultList: Record<string, string>[] }>();
  const calls: string[] = [];
  const app = new Hono();
  app.get('/v5/ec/*', (c) => {
    const path = c.req.path.slice('/v5/ec/'.length);
    const query = c.req.query();
    calls.push(path);
    if (!query.transid?.startsWith(appid) || query.transid.length > 48) {
      return c.json(refuse('11000', '参数错误'));
    }
    if (path === 'get/token') {
      if (query.appid !== appid || query.password !== password) {
        return c.json(refuse('12022', 'appid或password错误'));
      }
      const token = randomUUID();
      tokens.add(token);
      return c.json(ok([{ token, ttl: '3600' }]));
    }
    if (!tokens.has(query.token ?? '')) return c.json(refuse('12021', 'TOKEN不存在或已过期'));

    const kind = (['msisdn', 'iccid', 'imsi'] as const).find(
      (name) => query[name] !== undefined || query[`${name}s`] !== undefined,
    );
    const values = kind ? (query[kind] ?? query[`${kind}s`]!).split('_') : [];
    if (values.length > 100) return c.json(refuse('11000', '参数错误: 最多 100 张'));
    const find = (value: string) => cards.find((card) => card[kind!] === value);
    const idOf = (value: string) => ({ [kind!]: value });
    const unknown = (value: string) => ({ ...idOf(value), status: '12010', message: '卡号不存在' });

    switch (path) {
      case 'query/sim-card-info/batch':
        return c.json(
          ok(
            values.map((value) => {
              const card = find(value);
              if (!card) return unknown(value);
              return {
                status: '0',
                message: '正确',
                msisdn: card.msisdn,
                iccid: card.iccid,
                imsi: card.imsi,
              };
            }),
          ),
        );
      case 'query/sim-status': {
        const card = find(values[0]!);
        return c.json(
          ok([{ cardStatus: card ? card.cardStatus : '99', lastChangeDate: '20241126' }]),
        );
      }
      case 'query/sim-data-usage-daily/batch':
      case 'query/sim-data-usage-monthly/batch': {
        const daily = path.includes('daily');
        const today = cstToday(Date.now());
        const allowed = daily
          ? Array.from({ length: 7 }, (_, back) => compactDate(addDays(today, -1 - back)))
          : [cstMonth(Date.now()).replace('-', '')];
        if (!allowed.includes(query.queryDate ?? '')) return c.json(refuse('11000', '参数错误'));
        return c.json(
          ok([
            {
              dataAmountList: values.map((value) => {
                const index = cards.findIndex((card) => card[kind!] === value);
                if (index < 0) return unknown(value);
                const amount = daily ? kbOn(index, query.queryDate!) : 1000 + index;
                return { ...idOf(value), dataAmount: String(amount) };
              }),
            },
          ]),
        );
      }
      case 'change/sim-status/batch': {
        // The notes give no batch operType codes; these are the ones public clients send.
        const to = { '9': { from: '00', to: '02' }, '11': { from: '02', to: '00' } }[
          query.operType ?? ''
        ];
        if (!to) return c.json(refuse('11000', '参数错误: operType'));
        const jobId = `J${jobs.size + 1}`;
        const resultList = values.map((value) => {
          const card = find(value);
          if (!card) return unknown(value);
          if (card.cardStatus !== to.from) {
            return { ...idOf(value), status: '12089', message: '卡状态不允许操作' };
          }
          card.cardStatus = to.to;
          return { ...idOf(value), status: '0', message: '成功' };
        });
        const failed = resultList.filter((item) => item.status !== '0').length;
        jobs.set(jobId, {
          jobStatus: failed === 0 ? '2' : failed < values.length ? '3' : '4',
          resultList,
        });
        return c.json(ok([{ jobId }]));
      }
      case 'query/sim-batch-result': {
        const job = jobs.get(query.jobId ?? '');
        if (!job) return c.json(refuse('11000', '参数错误: jobId'));
        return c.json(ok([{ jobId: query.jobId, ...job }]));
      }
      default:
        return c.json(refuse('11000', `参数错误: ${path}`));
    }
  });
  return { app, appid, password, cards, calls, kbOn };
}

interface JobOutput {
  job: { action: string; total: number; done: number; failed: number; skipped: number };
  items: { cardId: number; state: string; code: string | null; message: string | null }[];
}

describe('CLI against a OneLink v5 server built from the protocol notes', () => {
  const sandbox = new CliSandbox();
  const server = documentOnlyServer();
  let close: () => Promise<void>;

  beforeAll(async () => {
    const served = await serveOnLoopback(server.app);
    close = served.close;
    sandbox.environment.ONELINK_V5_PASSWORD = server.password;
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: v5
    type: onelink-v5
    baseUrl: ${served.origin}/v5/ec
    appid: "${server.appid}"
    password: \${ONELINK_V5_PASSWORD}
    pollIntervalMs: 20
`,
    );
  });
  afterAll(async () => {
    await close();
    sandbox.remove();
  });

  it('imports, syncs and lists identities, statuses and usage', async () => {
    sandbox.write('cards.txt', `${server.cards.map((card) => card.iccid).join('\n')}\n`);
    const imported = await sandbox.run('cards', 'import', 'cards.txt', '--account', 'v5');
    expect(imported.code).toBe(0);

    const summary = await sandbox.json<{ status: string; failed: number }>('sync');
    expect(summary).toMatchObject({ status: 'succeeded', failed: 0 });
    // One token for the whole run, cached by its ttl.
    expect(server.calls.filter((path) => path === 'get/token')).toHaveLength(1);

    const list = await sandbox.json<{
      cards: { iccid: string; msisdn: string; imsi: string; status: string; statusRaw: string }[];
    }>('cards', 'list', '--account', 'v5', '--limit', '500');
    expect(list.cards).toHaveLength(250);
    for (const card of server.cards) {
      expect(list.cards.find((each) => each.iccid === card.iccid)).toMatchObject({
        msisdn: card.msisdn,
        imsi: card.imsi,
        status: card.cardStatus === '00' ? 'active' : 'inventory',
        statusRaw: card.cardStatus,
      });
    }

    const usage = await sandbox.json<{ date: string; bytes: number }[]>(
      'usage',
      server.cards[3]!.msisdn,
    );
    const yesterday = addDays(cstToday(Date.now()), -1);
    expect(usage).toHaveLength(7);
    expect(usage.at(-1)).toEqual({
      date: yesterday,
      bytes: Math.round(server.kbOn(3, compactDate(yesterday)) * 1024),
    });
    const shown = await sandbox.json<{ usage: { bytes: number; source: string } }>(
      'cards',
      'show',
      server.cards[3]!.iccid,
    );
    expect(shown.usage).toMatchObject({ bytes: 1003 * 1024, source: 'monthly' });
  });

  it('pauses 250 cards in 3 batch calls; each ends suspended or failed with the reason', async () => {
    const before = server.calls.length;
    const result = await sandbox.run('cards', 'pause', '--filter', 'account=v5', '--yes', '--json');
    expect(result.code).toBe(5);
    const output = JSON.parse(result.stdout) as JobOutput;
    expect(output.job).toMatchObject({ action: 'pause', total: 250, done: 245, failed: 5 });
    const sent = server.calls.slice(before);
    expect(sent.filter((path) => path === 'change/sim-status/batch')).toHaveLength(3);
    expect(sent).toContain('query/sim-batch-result');
    for (const item of output.items.filter((each) => each.state === 'failed')) {
      expect(item.message).toContain('卡状态不允许操作');
    }

    const list = await sandbox.json<{ cards: { iccid: string; status: string }[] }>(
      'cards',
      'list',
      '--account',
      'v5',
      '--limit',
      '500',
    );
    for (const card of server.cards) {
      const stored = list.cards.find((each) => each.iccid === card.iccid)!;
      expect(stored.status).toBe(card.cardStatus === '02' ? 'suspended' : 'inventory');
    }
    expect(server.cards.filter((card) => card.cardStatus === '02')).toHaveLength(245);
  });
});
