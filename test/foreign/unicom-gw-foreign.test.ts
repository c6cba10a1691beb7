import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, serveOnLoopback } from '../cli-harness.js';

/**
 * A China Unicom gateway written here from cn-carriers-notes.md ("China Unicom") alone, not
 * simdock's simulator or client: `POST /api/<operation>/V1/1Main/vV1.1`, the envelope
 * `{app_id, timestamp, trans_id, token, data: {messageId, openId, version}}` with
 * token = SM3("app_id"+app_id+"timestamp"+timestamp+"trans_id"+trans_id+app_secret),
 * answers `{status, message, data: {resultCode}}`, at most 50 ICCIDs, `simStatus` codes,
 * `monthToDateDataUsage` in MB and `wsEditTerminal` changeType 3 landing a moment later.
 */
function documentOnlyServer() {
  const appId = 'foreignApp';
  const appSecret = 'foreign-secret';
  const openId = 'foreignOpen';
  const cards = Array.from({ length: 120 }, (_, index) => ({
    iccid: `8986061234567${String(1_000_000 + index)}`,
    imei: `35000000${String(1_000_000 + index)}`,
    // Every 40th card is in stock (库存, 7): a pause is refused for it.
    simStatus: index % 40 === 5 ? '7' : '2',
    usageMb: (index % 17) + 0.25,
  }));
  const pending: { card: (typeof cards)[number]; target: string; at: number }[] = [];
  const calls: string[] = [];
  const settle = () => {
    for (const change of [...pending]) {
      if (change.at > Date.now()) continue;
      change.card.simStatus = change.target;
      pending.splice(pending.indexOf(change), 1);
    }
  };
  const reply = (data: Record<string, unknown>) => ({
    status: '0000',
    message: 'success',
    data: { resultCode: '0000', ...data },
  });
  const app = new Hono();
  app.post('/api/:operation/V1/1Main/vV1.1', async (c) => {
    const operation = c.req.param('operation');
    calls.push(operation);
    const body = (await c.req.json()) as {
      app_id: string;
      timestamp: string;
      trans_id: string;
      token: string;
      data: Record<string, unknown>;
    };
    const token = createHash('sm3')
      .update(`app_id${body.app_id}timestamp${body.timestamp}trans_id${body.trans_id}${appSecret}`)
      .digest('hex');
    if (body.app_id !== appId || body.token !== token) {
      return c.json({ status: '1001', message: 'token error' });
    }
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \d{3}$/.test(body.timestamp)) {
      return c.json({ status: '1005', message: 'timestamp' });
    }
    if (
      !body.trans_id.startsWith(body.timestamp.replace(/\D/g, '')) ||
      body.trans_id.length !== 23
    ) {
      return c.json({ status: '1005', message: 'trans_id' });
    }
    if (body.data.openId !== openId || body.data.version !== '1.0' || !body.data.messageId) {
      return c.json({ status: '1006', message: 'openId' });
    }
    settle();
    const find = (iccid: unknown) => cards.find((card) => card.iccid === iccid);
    switch (operation) {
      case 'wsGetModifiedTerminals': {
        const page = Number(body.data.pageNumber ?? 1);
        return c.json(
          reply({
            iccids: cards.slice((page - 1) * 50, page * 50).map((card) => card.iccid),
            totalPages: String(Math.ceil(cards.length / 50)),
          }),
        );
      }
      case 'wsGetTerminalDetails': {
        const iccids = body.data.iccids as string[];
        if (iccids.length > 50)
          return c.json(reply({ resultCode: '1011', resultMsg: '批量查询仅支持50位号码' }));
        return c.json(
          reply({
            terminals: iccids.flatMap((iccid) => {
              const card = find(iccid);
              return card
                ? [
                    {
                      iccid,
                      imei: card.imei,
                      simStatus: card.simStatus,
                      monthToDateDataUsage: String(card.usageMb),
                    },
                  ]
                : [];
            }),
          }),
        );
      }
      case 'wsEditTerminal': {
        const card = find(body.data.iccid);
        if (!card) return c.json(reply({ resultCode: '1010', resultMsg: 'no such ICCID' }));
        if (body.data.changeType !== '3') return c.json(reply({ resultCode: '1030' }));
        const target = String(body.data.targetValue);
        const allowed =
          target === '3' ? card.simStatus === '2' : target === '2' && card.simStatus === '3';
        if (!allowed) return c.json(reply({ resultCode: '1020', resultMsg: '当前状态不允许变更' }));
        pending.push({ card, target, at: Date.now() + (body.data.asynchronous === '1' ? 150 : 0) });
        settle();
        return c.json(reply({ iccid: card.iccid }));
      }
      default:
        return c.json(reply({ resultCode: '9999', resultMsg: `no ${operation}` }));
    }
  });
  return { app, appId, appSecret, openId, cards, calls };
}

interface JobOutput {
  job: { action: string; total: number; done: number; failed: number };
  items: { state: string; message: string | null }[];
}

describe('CLI against a China Unicom gateway built from the protocol notes', () => {
  const sandbox = new CliSandbox();
  const server = documentOnlyServer();
  let close: () => Promise<void>;
  beforeAll(async () => {
    const served = await serveOnLoopback(server.app);
    close = served.close;
    sandbox.environment.UNICOM_APP_SECRET = server.appSecret;
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: cu
    type: unicom-gw
    rateLimit: 0
    baseUrl: ${served.origin}
    appId: ${server.appId}
    appSecret: \${UNICOM_APP_SECRET}
    openId: ${server.openId}
    pollIntervalMs: 50
`,
    );
  });
  afterAll(async () => {
    await close();
    sandbox.remove();
  });

  it('lists the fleet, syncs identities, statuses and this cycle’s usage', async () => {
    const summary = await sandbox.json<{ status: string; failed: number }>('sync');
    expect(summary).toMatchObject({ status: 'succeeded', failed: 0 });
    const list = await sandbox.json<{
      cards: { iccid: string; imei: string | null; status: string; statusRaw: string }[];
    }>('cards', 'list', '--account', 'cu', '--limit', '500');
    expect(list.cards).toHaveLength(120);
    for (const card of server.cards) {
      expect(list.cards.find((each) => each.iccid === card.iccid)).toMatchObject({
        status: card.simStatus === '2' ? 'active' : 'inventory',
        statusRaw: card.simStatus,
      });
    }
    expect(
      server.calls.filter((call) => call === 'wsGetTerminalDetails').length,
    ).toBeGreaterThanOrEqual(3);
    const shown = await sandbox.json<{ usage: { bytes: number; source: string } }>(
      'cards',
      'show',
      server.cards[3]!.iccid,
    );
    expect(shown.usage).toMatchObject({
      bytes: Math.round(server.cards[3]!.usageMb * 1024 * 1024),
    });
  });

  it('pauses and resumes the fleet, following each change until it lands', async () => {
    const paused = await sandbox.run('cards', 'pause', '--filter', 'account=cu', '--yes', '--json');
    const output = JSON.parse(paused.stdout) as JobOutput;
    expect(output.job).toMatchObject({ action: 'pause', total: 120, done: 117, failed: 3 });
    for (const item of output.items.filter((each) => each.state === 'failed')) {
      expect(item.message).toContain('当前状态不允许变更');
    }
    expect(server.cards.filter((card) => card.simStatus === '3')).toHaveLength(117);
    const resumed = await sandbox.run(
      'cards',
      'resume',
      '--filter',
      'account=cu',
      '--yes',
      '--json',
    );
    const again = JSON.parse(resumed.stdout) as JobOutput;
    expect(again.job).toMatchObject({ action: 'resume', done: 117 });
    expect(server.cards.filter((card) => card.simStatus === '2')).toHaveLength(117);
  });
});
