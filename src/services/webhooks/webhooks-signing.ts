import { createHmac, randomBytes } from 'node:crypto';

/**
 * Webhook signatures follow the Standard Webhooks scheme (standardwebhooks.com): the secret is
 * `whsec_` + base64 of the key bytes; the signed content is `${id}.${timestamp}.${body}`; the
 * `webhook-signature` header is `v1,` + base64 of its HMAC-SHA256 (several signatures, during a
 * secret rotation, are separated by spaces). `webhook-id` repeats across retries of one event so
 * receivers can de-duplicate; `webhook-timestamp` is Unix seconds of the attempt.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** The three headers of a signed delivery. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The key bytes of a `whsec_…` secret. */
export function webhookSecretKey(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? secret.slice(WEBHOOK_SECRET_PREFIX.length)
    : secret;
  return Buffer.from(encoded, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function webhookSignature(input: {
  id: string;
  timestamp: number;
  body: string;
  secret: string;
}): string {
  const mac = createHmac('sha256', webhookSecretKey(input.secret))
    .update(`${input.id}.${input.timestamp}.${input.body}`, 'utf8')
    .digest('base64');
  return `v1,${mac}`;
}

/** The headers of one attempt (timestamp in Unix seconds). */
export function signedWebhookHeaders(input: {
  id: string;
  timestamp: number;
  body: string;
  secret: string;
}): WebhookSignatureHeaders {
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': webhookSignature(input),
  };
}
