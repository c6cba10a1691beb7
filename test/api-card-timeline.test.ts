import { afterEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../src/api/app.js';
import { ApiKeysRepository } from '../src/services/access/access-keys.js';
import { carrierFixture } from '../src/services/carrier/carrier.test-support.js';
import { TenantsRepository } from '../src/store/repositories/tenants-repository.js';
import { seedCardRecords } from './api-fixtures.js';
import { ApiHarness } from './api-harness.js';
import { OpenApiResponseValidator } from './openapi-responses.js';

const MB = 1024 * 1024;
const MINUTE = 60_000;

describe('GET /api/v1/cards/{id}/timeline', () => {
  let api: ApiHarness | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  /**
   * One card with a usage spike, a new IMEI (another device), a status change, an action, an
   * alert and a text.
   */
  async function seeded() {
    api = await ApiHarness.open();
    const id = api.cards.acme[0]!;
    // Quiet days of 5 MB, then 120 MB on 2024-11-25: a spike (≥ 3× the mean and 10 MiB above).
    const quiet = ['2024-11-18', '2024-11-19', '2024-11-20', '2024-11-21', '2024-11-22'];
    await api.store.usage.upsertDaily([
      ...quiet.map((date) => ({ cardId: id, date, bytes: 5 * MB })),
      { cardId: id, date: '2024-11-23', bytes: 6 * MB },
      { cardId: id, date: '2024-11-24', bytes: 4 * MB },
      { cardId: id, date: '2024-11-25', bytes: 120 * MB },
    ]);
    // The first IMEI the supplier reports is learned, not a change; the second one is.
    await api.store.cards.updateIdentities([{ id, imei: '860000000000011' }], 'sync:acme');
    await api.store.cards.updateIdentities([{ id, imei: '860000000000012' }], 'sync:acme');
    api.clock.advance(MINUTE);
    await api.store.cards.updateStatuses(
      [{ id, status: 'suspended', statusRaw: '2' }],
      'job:pause',
    );
    api.clock.advance(MINUTE);
    const audit = await api.store.audit.record({
      actor: 'user:ops@acme.test',
      action: 'cards.pause',
      targetType: 'card',
      targetId: String(id),
      account: null,
      outcome: 'succeeded',
      details: { job: 7, run: 1 },
    });
    await api.store.audit.tagTenant(audit, '/root/acme/');
    // Made by the root (the CLI): not the acme tenant's to read.
    await api.store.audit.record({
      actor: 'cli',
      action: 'cards.tags',
      targetType: 'card',
      targetId: String(id),
      outcome: 'succeeded',
    });
    api.clock.advance(MINUTE);
    await seedCardRecords(api, id);
    return { api, id };
  }

  it('merges status and identifier changes, actions, alerts, texts and usage spikes, newest first', async () => {
    const { api, id } = await seeded();
    const all = await api.json('GET', `/api/v1/cards/${id}/timeline`);
    expect(all.status).toBe(200);
    const kinds = all.body.items.map((item: { kind: string }) => item.kind);
    // The alert and the text share an instant: the key orders them.
    expect(kinds).toEqual(['sms', 'alert', 'action', 'action', 'status', 'identity', 'usage']);
    const ats = all.body.items.map((item: { at: string }) => Date.parse(item.at));
    expect([...ats].sort((a, b) => b - a)).toEqual(ats);
    expect(all.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'status',
          status: 'suspended',
          statusRaw: '2',
          source: 'job:pause',
        }),
        expect.objectContaining({
          kind: 'action',
          actor: 'user:ops@acme.test',
          action: 'cards.pause',
          outcome: 'succeeded',
          job: 7,
        }),
        expect.objectContaining({
          kind: 'identity',
          identity: 'imei',
          value: '860000000000012',
          previous: '860000000000011',
          source: 'sync:acme',
        }),
        expect.objectContaining({ kind: 'alert', code: 'usage_over', state: 'open' }),
        expect.objectContaining({ kind: 'sms', direction: 'in', text: `hello from ${id}` }),
        {
          kind: 'usage',
          key: 'usage:2024-11-25',
          at: '2024-11-24T16:00:00.000Z',
          date: '2024-11-25',
          bytes: 120 * MB,
          averageBytes: 5 * MB,
        },
      ]),
    );
    expect(all.body.nextBefore).toBeNull();
    expect(all.body.supplier).toEqual({
      history: { state: 'not-asked', error: null },
      session: { state: 'not-asked', error: null },
    });

    // The acme tenant sees the card and the actions made within acme, not the root's.
    const acme = await api.json('GET', `/api/v1/cards/${id}/timeline?kinds=action`, {
      key: 'acmeViewer',
    });
    expect(acme.status).toBe(200);
    expect(acme.body.items.map((item: { actor: string }) => item.actor)).toEqual([
      'user:ops@acme.test',
    ]);
    // Another tenant does not see the card at all.
    expect(
      (await api.json('GET', `/api/v1/cards/${id}/timeline`, { key: 'globexAdmin' })).status,
    ).toBe(404);
  });

  it('pages by time without losing or repeating an item, also when items share an instant', async () => {
    const { api, id } = await seeded();
    // Three more changes at one instant: a page boundary may fall among them.
    await api.store.cards.updateStatuses([{ id, status: 'active', statusRaw: '1' }], 'sync');
    await api.store.cards.updateStatuses([{ id, status: 'suspended', statusRaw: '2' }], 'sync');
    await api.store.cards.updateStatuses([{ id, status: 'active', statusRaw: '1' }], 'sync');
    const all = await api.json('GET', `/api/v1/cards/${id}/timeline?limit=200`);
    const expected = all.body.items.map((item: { key: string }) => item.key);
    expect(expected).toHaveLength(10);
    for (const limit of [1, 2, 4]) {
      const seen: string[] = [];
      let before: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const query: string = `limit=${limit}${before ? `&before=${encodeURIComponent(before)}` : ''}`;
        const page = await api.json('GET', `/api/v1/cards/${id}/timeline?${query}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((item: { key: string }) => item.key));
        before = page.body.nextBefore;
        if (before === null) break;
      }
      expect(seen).toEqual(expected);
    }
  });

  it('filters by kind, refuses bad parameters and says the supplier offers no history', async () => {
    const { api, id } = await seeded();
    const only = await api.json('GET', `/api/v1/cards/${id}/timeline?kinds=usage,status`);
    expect(only.body.items.map((item: { kind: string }) => item.kind)).toEqual(['status', 'usage']);
    for (const bad of ['kinds=status,bogus', 'kinds=', 'before=yesterday', 'limit=0', 'x=1']) {
      const refused = await api.json('GET', `/api/v1/cards/${id}/timeline?${bad}`);
      expect(refused.status, bad).toBe(400);
    }
    // OneLink v2 offers neither a history nor a session call.
    const asked = await api.json('GET', `/api/v1/cards/${id}/timeline?supplier=true`);
    expect(asked.status).toBe(200);
    expect(asked.body.supplier).toEqual({
      history: { state: 'unsupported', error: null },
      session: { state: 'unsupported', error: null },
    });
    expect(asked.body.items).toHaveLength(7);
  });
});

describe('the card timeline with the supplier’s history and session', () => {
  it('adds the supplier’s events where it offers them, and survives its refusal', async () => {
    const fixture = await carrierFixture();
    try {
      const now = () => fixture.clock.now();
      await new TenantsRepository(fixture.store, now).root();
      const { key } = await new ApiKeysRepository(fixture.store, now).create({
        name: 'owner',
        role: 'owner',
        tenantId: 'root',
      });
      const app = createApiApp({ context: fixture.context, options: { rateLimit: false } });
      const validator = new OpenApiResponseValidator(
        await (await app.request('/openapi.json')).json(),
      );
      const get = async (path: string) => {
        const response = await app.request(`/api/v1${path}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        await validator.check('GET', `/api/v1${path}`, response.clone());
        // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the expectations
        return { status: response.status, body: (await response.json()) as any };
      };
      const card = fixture.carrierCards[0]!;
      await fixture.store.cards.updateStatuses(
        [{ id: card.id, status: 'active', statusRaw: '2' }],
        'sync',
      );
      const page = await get(`/cards/${card.id}/timeline?supplier=true`);
      expect(page.status).toBe(200);
      expect(page.body.supplier).toEqual({
        history: { state: 'included', error: null },
        session: { state: 'included', error: null },
      });
      expect(page.body.items).toEqual([
        expect.objectContaining({ kind: 'status', source: 'sync', status: 'active' }),
        expect.objectContaining({
          kind: 'supplier',
          supplierKind: 'status',
          at: '2026-12-02T00:00:00.000Z',
          status: 'active',
          statusRaw: '2',
          description: 'activated',
        }),
        expect.objectContaining({
          kind: 'supplier',
          supplierKind: 'online',
          at: '2026-12-01T00:00:00.000Z',
          online: true,
          description: '10.1.2.3 · cmiot · LTE',
        }),
      ]);
      // Without supplier=true the supplier is not asked.
      const plain = await get(`/cards/${card.id}/timeline`);
      expect(plain.body.items.map((item: { kind: string }) => item.kind)).toEqual(['status']);

      // A refusing supplier fails its part, not the timeline.
      (await fixture.carrier()).refuse.add(card.iccid!);
      const refused = await get(`/cards/${card.id}/timeline?supplier=true`);
      expect(refused.status).toBe(200);
      expect(refused.body.supplier.history).toMatchObject({
        state: 'failed',
        error: { code: 'supplier_rejected' },
      });
      expect(refused.body.items.map((item: { kind: string }) => item.kind)).toEqual(['status']);

      // A supplier without the extras: unsupported.
      const other = await get(`/cards/${fixture.plainCards[0]!.id}/timeline?supplier=true`);
      expect(other.body.supplier.history.state).toBe('unsupported');
      expect(validator.violations).toEqual([]);
    } finally {
      await fixture.close();
    }
  });
});
