import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import {
  bareHostname,
  isPrivateAddress,
  systemResolver,
  type TargetPolicy,
} from './webhooks-targets.js';

/** One POST of a delivery. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** What came back: an HTTP status and the start of the body, or a failure before any status. */
export type WebhookResponse =
  | { ok: true; status: number; excerpt: string }
  | { ok: false; status: null; error: string };

/** Sends a delivery; injectable so tests can answer without a socket. */
export type WebhookSender = (request: WebhookRequest) => Promise<WebhookResponse>;

/** How much of a receiver's answer is kept in the attempt log. */
export const RESPONSE_EXCERPT_BYTES = 1024;

/**
 * The default sender: node:http(s) with a lookup that refuses private addresses at connect time
 * (unless allowed), so the address connected to is the address checked. Redirects are not
 * followed (a 3xx is a failed attempt, like any non-2xx).
 */
export function createWebhookSender(policy: TargetPolicy = {}): WebhookSender {
  const resolve = policy.resolve ?? systemResolver;
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = policy.allowPrivateTargets ? [] : addresses.filter(isPrivateAddress);
        if (addresses.length === 0 || refused.length > 0) {
          const error = Object.assign(
            new Error(`refused: ${hostname} resolves to a private address (${refused.join(', ')})`),
            { code: 'EPRIVATETARGET' },
          );
          callback(error, '', 4);
          return;
        }
        const entries = addresses.map((address) => ({ address, family: isIP(address) }));
        if (options.all) callback(null, entries);
        else callback(null, entries[0]!.address, entries[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };
  return (request) =>
    new Promise<WebhookResponse>((done) => {
      const url = new URL(request.url);
      const host = bareHostname(url);
      if (isIP(host) && !policy.allowPrivateTargets && isPrivateAddress(host)) {
        done({ ok: false, status: null, error: `refused: ${host} is a private address` });
        return;
      }
      const client = url.protocol === 'https:' ? https : http;
      const outgoing = client.request(
        url,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
          lookup,
          timeout: request.timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
            size += chunk.length;
          });
          response.on('end', () =>
            done({
              ok: true,
              status: response.statusCode ?? 0,
              excerpt: excerptOf(Buffer.concat(chunks)),
            }),
          );
          response.on('error', (error) => done({ ok: false, status: null, error: error.message }));
        },
      );
      outgoing.on('timeout', () =>
        outgoing.destroy(new Error(`timed out after ${request.timeoutMs} ms`)),
      );
      outgoing.on('error', (error) => done({ ok: false, status: null, error: error.message }));
      outgoing.end(request.body);
    });
}

/** The first bytes of an answer as text, cut at the excerpt size. */
export function excerptOf(body: Buffer | string): string {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return bytes.subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
}
