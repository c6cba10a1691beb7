import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFUSAL_BOUNDS } from '../../src/services/events/inbound-notices.js';
import { ApiHarness } from '../api-harness.js';

const QUECTEL_TOKEN = 'quectel-callback-token';

/**
 * Issue 17, bug 3: a flood of forged callbacks, each with a new body, may not grow the
 * database or the log without bound: refusals are limited per source, capped and expired per
 * account, and past the cap only counted.
 */
describe('a flood of forged callbacks', () => {
  let api: ApiHarness;
  let lines: string[];
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
    await api.store.accounts.upsert({
      id: 'quectel-1',
      type: 'quectel',
      settings: { appKey: 'a' },
      secrets: { secret: 's', callbackToken: QUECTEL_TOKEN },
    });
    lines = [];
  });
  afterEach(() => api.close());

  async function forge(index: number, address: string | null) {
    const body = JSON.stringify({ type: 'inbox', sms_id: `F${index}`, content: 'x'.repeat(8000) });
    const response = await api.app.request(
      '/callbacks/quectel-1/quectel/sms?token=forged',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body },
      address === null ? undefined : { incoming: { socket: { remoteAddress: address } } },
    );
    return response;
  }

  async function refusals() {
    return api.store.db
      .selectFrom('supplier_notices')
      .select(['dedupe_key', 'payload', 'repeats', 'received_at'])
      .where('verified', '=', 0)
      .execute();
  }

  it('answers 429 with Retry-After to a source past 30 refusals a minute, before storing anything', async () => {
    const stderr = process.stderr.write;
    process.stderr.write = ((line: string) => {
      lines.push(line);
      return true;
    }) as typeof process.stderr.write;
    try {
      const statuses: number[] = [];
      for (let index = 0; index < 400; index++) {
        statuses.push((await forge(index, '203.0.113.66')).status);
      }
      expect(statuses.filter((status) => status === 403)).toHaveLength(31);
      expect(statuses.filter((status) => status === 429)).toHaveLength(369);
      const blocked = await forge(1000, '203.0.113.66');
      expect(blocked.headers.get('retry-after')).toBe('1');
      // Another source is still heard.
      expect((await forge(1001, '198.51.100.1')).status).toBe(403);
      // The delay doubles with each refusal past the allowance.
      api.clock.advance(1_000);
      expect((await forge(1002, '203.0.113.66')).status).toBe(403);
      expect((await forge(1003, '203.0.113.66')).headers.get('retry-after')).toBe('2');
    } finally {
      process.stderr.write = stderr;
    }
    expect((await refusals()).length).toBe(33);
    // One line per stored refusal and one when the source was blocked, not one per request.
    expect(lines.length).toBeLessThanOrEqual(34);
  });

  it('keeps at most the cap of refusals per account, counts the rest, and keeps only the start of each body', async () => {
    const total = REFUSAL_BOUNDS.cap + 150;
    for (let index = 0; index < total; index++) {
      // Each from an address of its own, so no source is held off: only the per-account bounds
      // apply. (In-process requests, with no address, are counted per account as one source.)
      const address = `10.0.${Math.floor(index / 250)}.${(index % 250) + 1}`;
      expect((await forge(index, address)).status).toBe(403);
    }
    const rows = await refusals();
    expect(rows.length).toBe(REFUSAL_BOUNDS.cap + 1);
    const overflow = rows.find((row) => row.dedupe_key === 'rejected:overflow');
    expect(Number(overflow?.repeats)).toBe(149);
    for (const row of rows) {
      expect(row.payload.length).toBeLessThan(REFUSAL_BOUNDS.bodyChars + 600);
    }
  });

  it('forgets refusals after a week', async () => {
    for (let index = 0; index < 10; index++) await forge(index, null);
    expect((await refusals()).length).toBe(10);
    api.clock.advance(REFUSAL_BOUNDS.keepMs + 1);
    await forge(99, null);
    expect((await refusals()).length).toBe(1);
  });
});
