import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../src/api/app.js';
import type { CommandIo } from '../../src/cli/io.js';
import { openRuntime } from '../../src/cli/runtime.js';
import { cstMonth } from '../../src/domain/index.js';
import { CliSandbox, serveOnLoopback } from '../cli-harness.js';

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * An M2M card platform written here from m2m10086-api-v3.txt alone (not simdock's simulator):
 * JSON POST to `<Name>.ashx` (§1.1, §1.2), `sign = md5(lower-cased password + requesttime +
 * fields in the document's order)` (§1.4 and each endpoint's table), `status "0000"` on success
 * (§4.1), month flow in KB (§2.7.3), SMS content URL-encoded as signed and sent (§2.3.1).
 */
function documentOnlyPlatform() {
  const partnercode = 'P00012';
  const servicecode = 'SVC0000001';
  const password = '1234ABcd12';
  const cards = [
    {
      cardcode: '1064837284388',
      iccid: '89860401101880001001',
      imsi: '460040118800001',
      cardstatus: '00',
      kb: 30_720,
    },
    {
      cardcode: '1064837284389',
      iccid: '89860401101880001002',
      imsi: '460040118800002',
      cardstatus: '02',
      kb: 1,
    },
    {
      cardcode: '1064837284390',
      iccid: '89860401101880001003',
      imsi: '460040118800003',
      cardstatus: '07',
      kb: 0,
    },
  ];
  // The fields each endpoint signs, in the document's order (§2.1.1, §2.2.1, §2.3.1, §2.7.1).
  const signedFields: Record<string, string[]> = {
    M2MSearchInfo: ['key'],
    M2MSearchTermInfo: ['key', 'status'],
    M2MSmsSend: ['sendkey', 'mobiletype', 'mobile', 'content'],
    M2MSearchMonthFlow: ['key', 'month'],
  };
  const signOf = (name: string, body: Record<string, string>) =>
    md5(
      `${password}${body.requesttime}${signedFields[name]!.map((field) => body[field] ?? '').join('')}`.toLowerCase(),
    );
  const sent: { sendkey: string; mobile: string; content: string; text: string }[] = [];
  const answer = (status: string, message: string, result?: unknown) => ({
    status,
    message,
    ...(result === undefined ? {} : { result }),
  });
  const app = new Hono();
  app.post('/:file{.+\\.ashx}', async (c) => {
    const name = c.req.param('file').replace(/\.ashx$/, '');
    const body = (await c.req.json()) as Record<string, string>;
    if (!signedFields[name]) return c.json(answer('0015', '参数错误'));
    // Exactly the parameters of the endpoint's table: the four common ones and its own fields.
    const expected = ['partnercode', 'servicecode', 'requesttime', 'sign', ...signedFields[name]];
    if (Object.keys(body).sort().join() !== expected.sort().join()) {
      return c.json(answer('0015', '参数错误'));
    }
    if (body.partnercode !== partnercode) return c.json(answer('0011', '平台编码错误'));
    if (body.servicecode !== servicecode) return c.json(answer('0012', '业务编码错误'));
    if (!/^\d{22}$/.test(body.requesttime ?? '')) return c.json(answer('0017', '时间格式错误'));
    if (body.sign !== signOf(name, body)) return c.json(answer('0013', '签名(sign)错误'));
    const card = cards.find((each) =>
      [each.cardcode, each.iccid, each.imsi].includes(body.key ?? body.mobile ?? ''),
    );
    if (!card) return c.json(answer('0014', '卡号不存在'));
    const { cardcode, iccid, imsi } = card;
    switch (name) {
      case 'M2MSearchInfo':
        return c.json(
          answer('0000', '成功', {
            cardcode,
            iccid,
            imsi,
            imei: '',
            meals: '30M月包',
            flow: '30720',
          }),
        );
      case 'M2MSearchTermInfo': {
        const asked = body.status!.split('_');
        return c.json(
          answer('0000', '成功', {
            cardcode,
            iccid,
            imsi,
            ...(asked.includes('1') ? { flow: String(card.kb) } : {}),
            ...(asked.includes('2') ? { cardstatus: card.cardstatus } : {}),
            ...(asked.includes('3') ? { macstatus: '1' } : {}),
            ...(asked.includes('4') ? { gprsstatus: '01' } : {}),
          }),
        );
      }
      case 'M2MSearchMonthFlow':
        if (!/^\d{4}-?\d{2}$/.test(body.month ?? '')) return c.json(answer('0017', '时间格式错误'));
        return c.json(
          answer('0000', '成功', {
            cardcode,
            iccid,
            imsi,
            month: body.month,
            flow: String(card.kb),
          }),
        );
      default: {
        // M2MSmsSend: sendkey 10–16 letters or digits (§4.1 0022), content at most 130 (§2.3.1).
        if (!/^[0-9A-Za-z]{10,16}$/.test(body.sendkey ?? '')) {
          return c.json(answer('0022', '短信标识错误（10-16 位数字或字母组合）'));
        }
        if (sent.some((each) => each.sendkey === body.sendkey))
          return c.json(answer('0024', '短信标识重复'));
        if (body.mobiletype !== '0' || body.mobile !== cardcode)
          return c.json(answer('0025', '错误的手机号码'));
        sent.push({
          sendkey: body.sendkey!,
          mobile: body.mobile,
          content: body.content!,
          text: decodeURIComponent(body.content!.replace(/\+/g, ' ')),
        });
        return c.json(answer('0000', '成功'));
      }
    }
  });
  return { app, partnercode, servicecode, password, cards, sent, signOf };
}

describe('CLI and callbacks against an M2M platform built from the document', () => {
  const sandbox = new CliSandbox();
  const platform = documentOnlyPlatform();
  const closers: (() => Promise<void>)[] = [];
  let api: string;

  beforeAll(async () => {
    const served = await serveOnLoopback(platform.app);
    closers.push(served.close);
    sandbox.environment.M2M_PASSWORD = platform.password;
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: m2m
    type: m2m10086
    baseUrl: ${served.origin}
    partnercode: ${platform.partnercode}
    servicecode: ${platform.servicecode}
    password: \${M2M_PASSWORD}
`,
    );
    // `simdock serve` in-process: the same runtime the command opens, the API on loopback.
    const io: CommandIo = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      environment: sandbox.environment,
      cwd: sandbox.directory,
    };
    const runtime = await openRuntime({}, io);
    const apiServer = await serveOnLoopback(
      createApiApp({ context: runtime.context }) as unknown as Hono,
    );
    api = apiServer.origin;
    closers.push(apiServer.close, () => runtime.close());
  });
  afterAll(async () => {
    for (const close of closers) await close();
    sandbox.remove();
  });

  it('signs like the calculated vectors of the notes (lower-cased input)', () => {
    const requesttime = '2024112615183012345678';
    expect(platform.signOf('M2MSearchInfo', { requesttime, key: '1064837284388' })).toBe(
      '6c64ac35a7bd8cf3db20f298e3e641f8',
    );
    expect(
      platform.signOf('M2MSmsSend', {
        requesttime,
        sendkey: 'a1b2c3d4e5f6a7b8',
        mobiletype: '0',
        mobile: '1064837284388',
        content: '%7B%22cmd%22%3A%22RESET%22%7D',
      }),
    ).toBe('ef6bdb1166d3c7f16507d1302780acda');
  });

  it('imports, syncs and lists identities, statuses and monthly bytes (KB × 1024)', async () => {
    const [first, second, third] = platform.cards;
    sandbox.write('cards.txt', `${first!.cardcode}\n${second!.iccid}\n${third!.imsi}\n`);
    const imported = await sandbox.run('cards', 'import', 'cards.txt', '--account', 'm2m');
    expect(imported.code).toBe(0);

    const summary = await sandbox.json<{ status: string; failed: number }>('sync');
    expect(summary).toMatchObject({ status: 'succeeded', failed: 0 });

    const list = await sandbox.json<{
      cards: { iccid: string; msisdn: string; imsi: string; status: string; statusRaw: string }[];
    }>('cards', 'list', '--account', 'm2m');
    expect(list.cards).toHaveLength(3);
    const expected = { '00': 'active', '02': 'suspended', '07': 'inventory' } as const;
    for (const card of platform.cards) {
      expect(list.cards.find((each) => each.iccid === card.iccid)).toMatchObject({
        msisdn: card.cardcode,
        imsi: card.imsi,
        status: expected[card.cardstatus as keyof typeof expected],
      });
    }
    const shown = await sandbox.json<{ usage: { month: string; bytes: number; source: string } }>(
      'cards',
      'show',
      first!.iccid,
    );
    expect(shown.usage).toEqual({
      month: cstMonth(Date.now()),
      bytes: first!.kb * 1024,
      source: 'monthly',
      cycle: expect.objectContaining({ calendarMonth: true, month: cstMonth(Date.now()) }),
    });
  });

  it('sends a text that arrives with the right sign and the URL-encoded content', async () => {
    const text = '重启 {"cmd":"RESET"} & 50%';
    const card = platform.cards[0]!;
    const result = await sandbox.json<{ sent: boolean; message: { status: string } }>(
      'sms',
      'send',
      card.iccid,
      text,
    );
    expect(result).toMatchObject({ sent: true, message: { status: 'sent' } });
    expect(platform.sent).toHaveLength(1);
    expect(platform.sent[0]).toMatchObject({ mobile: card.cardcode, text });
    expect(platform.sent[0]!.content).toBe(encodeURIComponent(text));
  });

  it('refuses a notice pushed with a wrong sign and stores nothing', async () => {
    const card = platform.cards[1]!;
    const notice = {
      requesttime: '2024112615183012345679',
      msgtype: 'notice_smsreceive',
      count: '1',
      datas: [
        { mobile: card.cardcode, content: '%E6%B5%99%E6%B1%9F', retime: '2024-11-26 15:20:00' },
      ],
    };
    const post = (body: unknown) =>
      fetch(`${api}/callbacks/m2m/m2m`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // §3.1.1: sign = MD5(password+requestTime+msgtype+count), lower-cased input (§1.4).
    const forged = await post({
      ...notice,
      sign: md5(`wrong-password${notice.requesttime}${notice.msgtype}${notice.count}`),
    });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(await forged.text()).not.toBe('OK');
    const nothing = await sandbox.json<{ messages: unknown[] }>('sms', 'list', card.cardcode);
    expect(nothing.messages).toEqual([]);

    // The same notice signed with the password is taken: the refusal was the sign's doing.
    const genuine = await post({
      ...notice,
      sign: md5(
        `${platform.password}${notice.requesttime}${notice.msgtype}${notice.count}`.toLowerCase(),
      ),
    });
    expect(genuine.status).toBe(200);
    const thread = await sandbox.json<{ messages: { direction: string; text: string }[] }>(
      'sms',
      'list',
      card.cardcode,
    );
    expect(thread.messages.map((message) => [message.direction, message.text])).toEqual([
      ['in', '浙江'],
    ]);
  });
});
