import { createHmac, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  newWebhookSecret,
  signedWebhookHeaders,
} from '../../src/services/webhooks/webhooks-signing.js';
import { propertyParameters } from '../hostile/hostile-support.js';

/** How far a receiver lets `webhook-timestamp` be from its clock (Standard Webhooks: 5 min). */
const TOLERANCE_SECONDS = 300;

/**
 * A receiver's check, written here from the Standard Webhooks text alone (not simdock's signer):
 * HMAC-SHA256 over `id.timestamp.body` with the base64 key after `whsec_`, any of the
 * space-separated `v1,` signatures, timestamp within the tolerance.
 */
function receiverAccepts(
  headers: Record<string, string>,
  body: string,
  secret: string,
  nowSeconds: number,
): boolean {
  const id = headers['webhook-id'] ?? '';
  const timestamp = headers['webhook-timestamp'] ?? '';
  if (!/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return (headers['webhook-signature'] ?? '').split(' ').some((signature) => {
    const [version, mac] = signature.split(',');
    const given = Buffer.from(mac ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * simdock's webhook signatures against an independent receiver: the genuine delivery verifies;
 * any change of body, id or timestamp, another endpoint's secret, or a replay outside the
 * window is refused.
 */
describe('webhook signatures', () => {
  const delivery = fc.record({
    id: fc.stringMatching(/^msg_[0-9A-Za-z]{8,26}$/),
    timestamp: fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
    body: fc.json(),
    secret: fc.constant(null).map(() => newWebhookSecret()),
  });

  it('verifies the genuine delivery and refuses every mismatch', () => {
    fc.assert(
      fc.property(
        delivery,
        fc.string({ minLength: 1, maxLength: 5 }),
        fc.integer({ min: TOLERANCE_SECONDS + 1, max: 10 ** 7 }),
        ({ id, timestamp, body, secret }, tamper, late) => {
          const headers = { ...signedWebhookHeaders({ id, timestamp, body, secret }) };
          expect(receiverAccepts(headers, body, secret, timestamp)).toBe(true);
          expect(receiverAccepts(headers, `${body}${tamper}`, secret, timestamp)).toBe(false);
          expect(receiverAccepts(headers, body, newWebhookSecret(), timestamp)).toBe(false);
          const otherId = { ...headers, 'webhook-id': `${id}x` };
          expect(receiverAccepts(otherId, body, secret, timestamp)).toBe(false);
          const moved = { ...headers, 'webhook-timestamp': String(timestamp + 1) };
          expect(receiverAccepts(moved, body, secret, timestamp)).toBe(false);
          // A replay of the genuine delivery later than the window is refused.
          expect(receiverAccepts(headers, body, secret, timestamp + late)).toBe(false);
        },
      ),
      propertyParameters(100),
    );
  });
});
