import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Strict stand-ins for the three chat robots, on a loopback port, answering as the real ones do
 * (see notifications-robots.ts for the sources): they check the token, verify the signature with
 * their own WebCrypto code (not simdock's node:crypto signer) and its timestamp (within an hour),
 * count messages per rolling minute and answer the robot's rate-limit code beyond its limit.
 */
export type FakeRobotType = 'dingtalk' | 'wecom' | 'feishu';

export interface FakeRobotMessage {
  at: number;
  body: Record<string, unknown>;
  /** The text shown in the chat (markdown text / content / card markdown). */
  text: string;
  title: string | null;
}

export interface FakeRobotAnswer {
  at: number;
  code: number;
  message: string;
}

export interface FakeRobot {
  url: string;
  /** Messages the robot accepted and showed. */
  received: FakeRobotMessage[];
  /** Every answer given, accepted or not. */
  answers: FakeRobotAnswer[];
  close(): Promise<void>;
}

export interface FakeRobotOptions {
  type: FakeRobotType;
  token: string;
  /** The signing secret (DingTalk, Feishu); absent: the robot does not check signatures. */
  secret?: string;
  /** The robot's clock (the test clock). */
  now: () => number;
  /** Messages per rolling minute (DingTalk and WeCom: 20; Feishu: 100). */
  perMinute?: number;
}

async function hmacBase64(key: string, message: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(message)),
  );
  return btoa(String.fromCharCode(...mac));
}

const HOUR_MS = 60 * 60 * 1000;

/** Starts a fake robot of `type`; its URL is what the robot's settings page would show. */
export async function startFakeRobot(options: FakeRobotOptions): Promise<FakeRobot> {
  const received: FakeRobotMessage[] = [];
  const answers: FakeRobotAnswer[] = [];
  const accepted: number[] = [];
  let throttledUntil = 0;
  const perMinute = options.perMinute ?? (options.type === 'feishu' ? 100 : 20);

  async function handle(url: URL, raw: string): Promise<{ code: number; message: string }> {
    const now = options.now();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return options.type === 'feishu'
        ? { code: 9499, message: 'Bad Request' }
        : { code: 40035, message: 'invalid json' };
    }
    if (options.type === 'dingtalk') {
      if (
        url.pathname !== '/robot/send' ||
        url.searchParams.get('access_token') !== options.token
      ) {
        return { code: 300001, message: 'token is not exist' };
      }
      if (options.secret) {
        const timestamp = Number(url.searchParams.get('timestamp'));
        const sign = url.searchParams.get('sign') ?? '';
        const expected = await hmacBase64(options.secret, `${timestamp}\n${options.secret}`);
        if (!Number.isFinite(timestamp) || Math.abs(now - timestamp) > HOUR_MS) {
          return { code: 310000, message: 'sign not match, more: timestamp is expired' };
        }
        if (sign !== expected) return { code: 310000, message: 'sign not match' };
      }
      if (now < throttledUntil) {
        return { code: 130101, message: 'send too fast, exceed 20 times per minute' };
      }
    } else if (options.type === 'wecom') {
      if (
        url.pathname !== '/cgi-bin/webhook/send' ||
        url.searchParams.get('key') !== options.token
      ) {
        return { code: 93000, message: 'invalid webhook url' };
      }
      const content = (body.markdown as { content?: string } | undefined)?.content ?? '';
      if (Buffer.byteLength(content) > 4096) {
        return { code: 40058, message: 'markdown.content exceed max length 4096' };
      }
    } else {
      if (url.pathname !== `/open-apis/bot/v2/hook/${options.token}`) {
        return { code: 19001, message: 'param invalid: incoming webhook access token invalid' };
      }
      if (options.secret) {
        const timestamp = Number(body.timestamp);
        const expected = await hmacBase64(`${body.timestamp}\n${options.secret}`, '');
        if (
          !Number.isFinite(timestamp) ||
          Math.abs(now - timestamp * 1000) > HOUR_MS ||
          body.sign !== expected
        ) {
          return {
            code: 19021,
            message: 'sign match fail or timestamp is not within one hour from current time',
          };
        }
      }
    }
    const recent = accepted.filter((at) => at > now - 60_000);
    const lastSecond = accepted.filter((at) => at > now - 1_000);
    if (recent.length >= perMinute || (options.type === 'feishu' && lastSecond.length >= 5)) {
      if (options.type === 'dingtalk') {
        // "如果超过20条,会限流10分钟".
        throttledUntil = now + 10 * 60_000;
        return { code: 130101, message: 'send too fast, exceed 20 times per minute' };
      }
      if (options.type === 'wecom') return { code: 45009, message: 'api freq out of limit' };
      return { code: 11232, message: 'frequency limited' };
    }
    accepted.push(now);
    received.push({ at: now, body, ...shown(options.type, body) });
    return { code: 0, message: options.type === 'feishu' ? 'success' : 'ok' };
  }

  const server: Server = createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      raw += chunk;
    });
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://robot.test');
      handle(url, raw).then(({ code, message }) => {
        answers.push({ at: options.now(), code, message });
        const answer =
          options.type === 'feishu'
            ? { code, data: {}, msg: message }
            : { errcode: code, errmsg: message };
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const url =
    options.type === 'dingtalk'
      ? `${base}/robot/send?access_token=${options.token}`
      : options.type === 'wecom'
        ? `${base}/cgi-bin/webhook/send?key=${options.token}`
        : `${base}/open-apis/bot/v2/hook/${options.token}`;
  return {
    url,
    received,
    answers,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function shown(type: FakeRobotType, body: Record<string, unknown>) {
  if (type === 'dingtalk') {
    const markdown = body.markdown as { title?: string; text?: string } | undefined;
    return { title: markdown?.title ?? null, text: markdown?.text ?? '' };
  }
  if (type === 'wecom') {
    return {
      title: null,
      text: (body.markdown as { content?: string } | undefined)?.content ?? '',
    };
  }
  const card = body.card as
    | { header?: { title?: { content?: string } }; elements?: { content?: string }[] }
    | undefined;
  return {
    title: card?.header?.title?.content ?? null,
    text: (card?.elements ?? []).map((element) => element.content ?? '').join('\n'),
  };
}
