import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, compactDate, cstToday } from '../src/domain/index.js';
import { CliSandbox, serveOnLoopback } from './cli-harness.js';

/**
 * A OneLink v2 server written here from the documents alone (not simdock's simulator): it
 * checks the token its own way, answers usage with upper-case keys like the 2010 example, and
 * identities with lower-case keys like the 2111 example.
 */
function documentOnlyServer() {
  const appid = 'A0B40MV';
  const password = 'doc-password';
  const cards = [
    { msisdn: '1064826090232', iccid: '898602B2221340000878', imsi: '460040260900788' },
    { msisdn: '1064826029898', iccid: '898602B2221340001456', imsi: '460040260990087' },
  ];
  const kbByDay = (iccid: string, date: string) => (Number(date.slice(-2)) * 7 + iccid.length) % 97;
  const app = new Hono();
  const calls: string[] = [];
  app.all('/v2/:name', (c) => {
    const query = c.req.query();
    calls.push(c.req.param('name'));
    const expected = createHash('sha256')
      .update(`${query.appid}${password}${query.transid}`)
      .digest('hex');
    if (query.appid !== appid || query.token !== expected) {
      return c.json({ status: '7', message: 'Token鉴权不通过', result: [] });
    }
    const list = (query.iccids ?? query.msisdns ?? query.imsis ?? '').split('_');
    const field = query.iccids ? 'iccid' : query.msisdns ? 'msisdn' : 'imsi';
    const find = (value: string) => cards.find((card) => card[field] === value);
    if (c.req.param('name') === 'batchquerycardinfo') {
      return c.json({
        status: '0',
        message: '正确',
        result: list.map((value) => {
          const card = find(value);
          return card
            ? { status: '0', message: '正确', ...card }
            : { status: '25', message: 'ICCID号不是所查询的集团下的用户', iccid: value };
        }),
      });
    }
    const date = query.query_date!;
    return c.json({
      message: '正确',
      result: list.flatMap((value) => {
        const card = find(value);
        return card
          ? [
              {
                ICCID: card.iccid,
                IMSI: card.imsi,
                MSISDN: card.msisdn,
                GPRS: String(kbByDay(card.iccid, date)),
                SMS: '0',
              },
            ]
          : [];
      }),
      status: '0',
    });
  });
  return { app, appid, password, calls, kbByDay };
}

describe('CLI against a OneLink v2 server built from the documents', () => {
  const sandbox = new CliSandbox();
  const server = documentOnlyServer();
  let close: () => Promise<void>;

  beforeAll(async () => {
    const served = await serveOnLoopback(server.app);
    close = served.close;
    sandbox.environment.ONELINK_PASSWORD = server.password;
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: cmcc
    type: onelink-v2
    baseUrl: ${served.origin}/v2
    appid: ${server.appid}
    password: \${ONELINK_PASSWORD}
    ebids: { batchquerycardinfo: "0001000000036", batchgprsusedbydate: "0001000000346" }
`,
    );
  });
  afterAll(async () => {
    await close();
    sandbox.remove();
  });

  it('imports, syncs and shows identities and bytes = KB × 1024 per CST day', async () => {
    sandbox.write('cards.txt', '898602B2221340000878\n1064826029898\nnot-a-card\n');
    const imported = await sandbox.run('cards', 'import', 'cards.txt', '--account', 'cmcc');
    expect(imported.stderr).toContain('cards.txt:3: "not-a-card"');
    expect(imported.code).toBe(3);

    const summary = await sandbox.json<{ calls: number; failed: number; status: string }>('sync');
    expect(summary.status).toBe('succeeded');
    expect(summary.failed).toBe(0);
    // Two identifier kinds → 2 identity calls; then 7 days × 1 batch.
    expect(summary.calls).toBe(2 + 7);

    const list = await sandbox.json<{
      cards: { iccid: string; msisdn: string; imsi: string; account: string; supplier: string }[];
    }>('cards', 'list');
    expect(list.cards).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          iccid: '898602B2221340000878',
          msisdn: '1064826090232',
          imsi: '460040260900788',
          account: 'cmcc',
          supplier: 'onelink-v2',
        }),
        expect.objectContaining({ iccid: '898602B2221340001456', msisdn: '1064826029898' }),
      ]),
    );

    const usage = await sandbox.json<{ date: string; bytes: number }[]>('usage', '1064826090232');
    const yesterday = addDays(cstToday(Date.now()), -1);
    expect(usage).toHaveLength(7);
    expect(usage.at(-1)).toEqual({
      date: yesterday,
      bytes: server.kbByDay('898602B2221340000878', compactDate(yesterday)) * 1024,
    });

    const again = await sandbox.json<{ rowsWritten: number }>('sync', '--account', 'cmcc');
    expect(again.rowsWritten).toBe(0);
  });

  it('gives one clear line and a non-zero exit for an unknown account, a missing config and a bad token', async () => {
    const unknown = await sandbox.run('cards', 'import', 'cards.txt', '--account', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/unknown account "nope"/);

    const missing = await sandbox.run('accounts', 'list', '--config', 'missing.yaml');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing.yaml: configuration file not found/);

    sandbox.environment.ONELINK_PASSWORD = 'wrong';
    const refused = await sandbox.run('sync');
    sandbox.environment.ONELINK_PASSWORD = server.password;
    expect(refused.code).toBe(4);
    expect(refused.stdout).toMatch(/stopped early: .*7/);
    expect(refused.stderr).not.toMatch(/at .*\.ts:/);
  });

  it('names the file, key and problem in a config error', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${VAR} reference as simdock.yaml has it.
    const reference = '${NOT_SET_ANYWHERE}';
    sandbox.write(
      'bad.yaml',
      `accounts:\n  - id: x\n    type: onelink-v2\n    appid: ${reference}\n`,
    );
    const result = await sandbox.run('--config', 'bad.yaml', 'accounts', 'list');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /bad.yaml: accounts\[0\]\.appid: environment variable NOT_SET_ANYWHERE is not set/,
    );
  });
});
