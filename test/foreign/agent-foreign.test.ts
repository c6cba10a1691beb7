import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox, serveOnLoopback } from '../cli-harness.js';
import example from './__fixtures__/agent-query-device-flow.json' with { type: 'json' };

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * The agent open API written here from agent-openapi-v2-querydeviceflow.txt and the agent
 * section of PROTOCOL-NOTES.md alone (not simdock's simulator): form POST to
 * `/openapi/iot/queryDeviceFlow`, the five headers with `sign = md5(appID + apiVersion + traceID
 * + timestamp + secret)`, a timestamp within ten minutes, a fresh 32-hex traceID per request,
 * and the `{code, message, data, timestamp, traceID}` envelope with the document's own device.
 * The fixture is the document's example response, copied verbatim.
 */
function documentOnlyServer() {
  const appID = 'qwe123';
  const secret = 'C55rqUa6AvKyuNMYYvoYCSR1BBfSPWK7';
  const seenTraces = new Set<string>();
  const calls: { path: string; deviceNo: string | undefined }[] = [];
  const signOf = (headers: Record<string, string>) =>
    md5(`${headers.appID}${headers.apiVersion}${headers.traceID}${headers.timestamp}${secret}`);
  const app = new Hono();
  app.post('/openapi/iot/:name', async (c) => {
    const headers = {
      appID: c.req.header('appID') ?? '',
      apiVersion: c.req.header('apiVersion') ?? '',
      traceID: c.req.header('traceID') ?? '',
      timestamp: c.req.header('timestamp') ?? '',
    };
    const envelope = (code: number, message: string, data: unknown = null) => ({
      code,
      message,
      data,
      timestamp: Math.floor(Date.now() / 1000),
      traceID: headers.traceID,
    });
    if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      return c.json(envelope(400, 'Body 参数 application/x-www-form-urlencoded'));
    }
    const form = new URLSearchParams(await c.req.text());
    calls.push({ path: c.req.path, deviceNo: form.get('deviceNo') ?? undefined });
    if (headers.appID !== appID || headers.apiVersion !== '2.0.0') {
      return c.json(envelope(401, 'appID 或 apiVersion 错误'));
    }
    if (!/^\d{10}$/.test(headers.timestamp)) return c.json(envelope(401, 'timestamp 错误'));
    if (Math.abs(Number(headers.timestamp) - Date.now() / 1000) > 600) {
      return c.json(envelope(401, 'timestamp 超出 10 分钟'));
    }
    if (!/^[0-9a-f]{32}$/.test(headers.traceID) || seenTraces.has(headers.traceID)) {
      return c.json(envelope(401, 'traceID 错误或重复'));
    }
    seenTraces.add(headers.traceID);
    if (c.req.header('sign') !== signOf(headers)) return c.json(envelope(401, '签名错误'));
    if (c.req.param('name') !== 'queryDeviceFlow') return c.json(envelope(404, '接口不存在'));
    if (form.get('deviceNo') !== example.data.device.deviceNo) {
      return c.json(envelope(500, '设备不存在'));
    }
    return c.json({
      ...example,
      timestamp: Math.floor(Date.now() / 1000),
      traceID: headers.traceID,
    });
  });
  return { app, appID, secret, calls, signOf };
}

describe('CLI against an agent open API built from the document', () => {
  const sandbox = new CliSandbox();
  const server = documentOnlyServer();
  const device = example.data.device;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const served = await serveOnLoopback(server.app);
    close = served.close;
    sandbox.environment.AGENT_SECRET = server.secret;
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: reseller
    type: agent
    baseUrl: ${served.origin}/admin
    appId: ${server.appID}
    secret: \${AGENT_SECRET}
`,
    );
  });
  afterAll(async () => {
    await close();
    sandbox.remove();
  });

  it("signs like the supplier's own example", () => {
    expect(
      server.signOf({
        appID: 'qwe123',
        apiVersion: '2.0.0',
        traceID: '5831f960804c9217ec01e425b8cc76f5',
        timestamp: '1698587220',
      }),
    ).toBe('c07a95dbddc1aa915f323cee747aa576');
  });

  it('stores the document device with all its slots and shows the Wi-Fi password masked', async () => {
    const synced = await sandbox.json<{ devices: number; synced: number; failed: unknown[] }>(
      'devices',
      'sync',
      '--account',
      'reseller',
      '--device',
      device.deviceNo,
    );
    expect(synced).toMatchObject({ devices: 1, synced: 1, failed: [] });
    expect(server.calls).toEqual([
      { path: '/openapi/iot/queryDeviceFlow', deviceNo: device.deviceNo },
    ]);

    const shown = await sandbox.json<{
      deviceNo: string;
      imei: string;
      slots: {
        slot: string;
        iccid: string | null;
        msisdn: string | null;
        usedBytes: number | null;
      }[];
      wifi: { band: string; name: string | null; password: string | null }[];
      adminPassword: string | null;
    }>('devices', 'show', device.deviceNo);
    expect(shown).toMatchObject({ deviceNo: device.deviceNo, imei: device.imei });
    const [main, vice1] = example.data.sims;
    expect(shown.slots).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          slot: 'main',
          iccid: device.mainIccid,
          msisdn: device.mainSimNo,
          usedBytes: main!.useFlow,
        }),
        expect.objectContaining({
          slot: 'vice1',
          iccid: device.vice1Iccid,
          msisdn: device.vice1SimNo,
          usedBytes: vice1!.useFlow,
        }),
      ]),
    );
    // Every slot the document names (main, vice1, vice2, usim), the empty ones with nulls.
    expect(shown.slots.map((slot) => slot.slot)).toEqual(['main', 'vice1', 'vice2', 'esim']);
    for (const empty of shown.slots.slice(2)) {
      expect(empty).toMatchObject({ iccid: null, msisdn: null, usedBytes: null });
    }
    expect(shown.wifi[0]).toMatchObject({ name: device.wifiName, password: '********' });
    expect(shown.adminPassword).toBe('********');
    const text = await sandbox.run('devices', 'show', device.deviceNo);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(device.wifiName);
    expect(text.stdout).not.toContain(device.wifiPass);
  });

  it('reports a refused signature as a failed device, not a crash', async () => {
    sandbox.environment.AGENT_SECRET = 'not-the-secret';
    const refused = await sandbox.run(
      'devices',
      'sync',
      '--account',
      'reseller',
      '--device',
      device.deviceNo,
    );
    sandbox.environment.AGENT_SECRET = server.secret;
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toContain('签名错误');
    expect(refused.stderr).not.toMatch(/at .*\.ts:/);
  });
});
