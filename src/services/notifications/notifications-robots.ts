import { createHmac } from 'node:crypto';
import type { WebhookRequest } from '../webhooks/webhooks-http.js';

/**
 * The three chat robots' wire protocols: how a message is posted, how it is signed and what an
 * answer means. Each robot answers HTTP 200 with a JSON body whose code says what happened.
 *
 * DingTalk custom robot ("自定义机器人", open.dingtalk.com, "custom robot access"): POST JSON to
 * `https://oapi.dingtalk.com/robot/send?access_token=…`; with the "加签" security setting, the
 * query also carries `timestamp` (ms) and `sign` = URL-encoded Base64 of
 * HMAC-SHA256(key = secret, message = `${timestamp}\n${secret}`); the timestamp must be within
 * an hour of DingTalk's clock. Answer `{errcode, errmsg}`, 0 = sent. 20 messages a minute per
 * robot: beyond that errcode 130101 "send too fast, exceed 20 times per minute" and the robot is
 * throttled for 10 minutes (the DingTalk custom robot guide, quoted at
 * juejin.cn/post/7129698690297495583 and blog.csdn.net/jialiuyang/article/details/118615052).
 * 310000 is the answer to a wrong signature, a stale timestamp or a missing keyword.
 *
 * WeCom group robot ("群机器人" / "消息推送", developer.work.weixin.qq.com/document/path/91770):
 * POST JSON to `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…` (no signature: the key
 * is the credential). Answer `{errcode, errmsg}`, 0 = sent; 20 messages a minute; beyond that
 * errcode 45009 "api freq out of limit" (as reported in the public issue
 * WecomTeam/wecom-openclaw-plugin#48); 93000 "invalid webhook url"; markdown content is at most
 * 4096 bytes (40058 beyond).
 *
 * Feishu custom bot ("自定义机器人", open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
 * POST JSON to `https://open.feishu.cn/open-apis/bot/v2/hook/<token>`; with "签名校验" the body
 * carries `timestamp` (seconds, as a string) and `sign` = Base64 of HMAC-SHA256 whose KEY is
 * `${timestamp}\n${secret}` over an empty message (the reverse of DingTalk's). Answer
 * `{code, msg, data}`, 0 = sent; 19021 = signature or timestamp refused; 100 a minute and 5 a
 * second per bot, beyond that code 11232 "frequency limited" (as handled by the public openclaw
 * Feishu client, commit 90c787096 "retry HTTP 429 and code 11232 for message send rate limits").
 */
export const ROBOT_TYPES = ['dingtalk', 'wecom', 'feishu'] as const;
export type RobotType = (typeof ROBOT_TYPES)[number];

/** The answer code each robot gives when messages come too fast. */
export const RATE_LIMIT_CODES: Record<RobotType, string> = {
  dingtalk: '130101',
  wecom: '45009',
  feishu: '11232',
};

/** How long a robot stays throttled after answering its rate-limit code. */
export const RATE_LIMIT_COOL_DOWN_MS: Record<RobotType, number> = {
  // "如果超过20条,会限流10分钟" (the DingTalk guide).
  dingtalk: 10 * 60_000,
  wecom: 60_000,
  feishu: 60_000,
};

/** The largest message text each robot takes, in UTF-8 bytes (a digest is cut to fit). */
export const ROBOT_TEXT_LIMIT_BYTES: Record<RobotType, number> = {
  dingtalk: 18_000,
  // markdown.content: at most 4096 bytes (errcode 40058 beyond).
  wecom: 4_000,
  feishu: 18_000,
};

/** DingTalk's `sign`: Base64 HMAC-SHA256 keyed by the secret over `timestamp\nsecret`. */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** Feishu's `sign`: Base64 HMAC-SHA256 keyed by `timestamp\nsecret` over nothing. */
export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** What a robot message says: a title and Markdown text (with links). */
export interface RobotMessage {
  title: string;
  text: string;
}

/** The robot's secrets: its webhook URL (which holds its token) and, signed, its secret. */
export interface RobotSecrets {
  webhookUrl: string;
  secret?: string;
}

/** The HTTP request that posts `message` to a robot at `nowMs`. */
export function robotRequest(
  type: RobotType,
  secrets: RobotSecrets,
  message: RobotMessage,
  nowMs: number,
  timeoutMs = 10_000,
): WebhookRequest {
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'simdock-notifications/1',
  };
  if (type === 'dingtalk') {
    const url = new URL(secrets.webhookUrl);
    if (secrets.secret) {
      url.searchParams.set('timestamp', String(nowMs));
      // URLSearchParams percent-encodes the Base64 (`+`, `/`, `=`), as DingTalk asks.
      url.searchParams.set('sign', dingtalkSign(nowMs, secrets.secret));
    }
    const body = { msgtype: 'markdown', markdown: { title: message.title, text: message.text } };
    return { url: url.toString(), headers, body: JSON.stringify(body), timeoutMs };
  }
  if (type === 'wecom') {
    const body = { msgtype: 'markdown', markdown: { content: message.text } };
    return { url: secrets.webhookUrl, headers, body: JSON.stringify(body), timeoutMs };
  }
  const seconds = Math.floor(nowMs / 1000);
  const body = {
    ...(secrets.secret
      ? { timestamp: String(seconds), sign: feishuSign(seconds, secrets.secret) }
      : {}),
    msg_type: 'interactive',
    card: {
      header: { title: { tag: 'plain_text', content: message.title } },
      elements: [{ tag: 'markdown', content: message.text }],
    },
  };
  return { url: secrets.webhookUrl, headers, body: JSON.stringify(body), timeoutMs };
}

/** A robot's answer read: sent or not, its code and message, and whether it was a rate limit. */
export interface RobotAnswer {
  sent: boolean;
  code: string | null;
  message: string | null;
  rateLimited: boolean;
}

/** Reads a robot's HTTP answer (status and body). */
export function readRobotAnswer(type: RobotType, status: number, body: string): RobotAnswer {
  let parsed: Record<string, unknown> | null = null;
  try {
    const value = JSON.parse(body) as unknown;
    if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
  } catch {
    parsed = null;
  }
  const rawCode =
    type === 'feishu'
      ? (parsed?.code ?? parsed?.StatusCode)
      : // DingTalk and WeCom: `errcode`.
        parsed?.errcode;
  const rawMessage =
    type === 'feishu' ? (parsed?.msg ?? parsed?.StatusMessage) : (parsed?.errmsg ?? null);
  const code = rawCode === undefined || rawCode === null ? null : String(rawCode);
  const message = typeof rawMessage === 'string' ? rawMessage : null;
  const rateLimited = code === RATE_LIMIT_CODES[type] || status === 429;
  const sent = status >= 200 && status < 300 && code === '0';
  return { sent, code, message, rateLimited };
}

/** The robot URL with its token masked, for display. */
export function maskRobotUrl(value: string): string {
  try {
    const url = new URL(value);
    for (const [name, param] of url.searchParams) url.searchParams.set(name, maskToken(param));
    const segments = url.pathname.split('/');
    const last = segments.at(-1) ?? '';
    if (last.length >= 16) segments[segments.length - 1] = maskToken(last);
    url.pathname = segments.join('/');
    return decodeURIComponent(url.toString());
  } catch {
    return '••••';
  }
}

function maskToken(token: string): string {
  return token.length <= 4 ? '••••' : `••••${token.slice(-4)}`;
}
