import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays, cstToday } from '../src/domain/index.js';
import { AlertsRepository } from '../src/store/repositories/alerts-repository.js';
import { PlansRepository } from '../src/store/repositories/plans-repository.js';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

/** The API behind the console fixes: a card's plan, and ICCIDs on two accounts. */
describe('console fixes in the API', () => {
  let harness: ApiHarness;
  beforeEach(async () => {
    harness = await ApiHarness.open();
  });
  afterEach(async () => harness.close());

  it("gives a card's plan, quota use this cycle, cycle dates, expiry and days left", async () => {
    const [cardId] = harness.cards.root;
    const today = cstToday(harness.clock.now());
    const plans = new PlansRepository(harness.store);
    const plan = await plans.create({ name: '1GB', quotaBytes: 1024 ** 3 });
    await plans.assign([cardId!], { planId: plan.id, expiresOn: addDays(today, 12) });
    await harness.store.usage.upsertMonthly([
      { cardId: cardId!, month: today.slice(0, 7), bytes: 256 * 1024 ** 2 },
    ]);
    const { status, body } = await harness.json('GET', `/api/v1/cards/${cardId}/plan`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      plan: { id: plan.id, name: '1GB', quotaBytes: 1024 ** 3, cycleStartDay: 1 },
      cycle: { start: `${today.slice(0, 7)}-01` },
      usedBytes: 256 * 1024 ** 2,
      percent: 25,
      expiresOn: addDays(today, 12),
      daysLeft: 12,
    });
    expect(body.cycle.end > today).toBe(true);

    // A card on no plan says so, with nothing invented.
    const other = harness.cards.root[1]!;
    const none = await harness.json('GET', `/api/v1/cards/${other}/plan`);
    expect(none.body).toEqual({
      plan: null,
      cycle: null,
      usedBytes: null,
      percent: null,
      expiresOn: null,
      daysLeft: null,
    });
    // Another tenant's card does not exist for the caller.
    const hidden = await harness.json('GET', `/api/v1/cards/${cardId}/plan`, { key: 'acmeAdmin' });
    expect(hidden.status).toBe(404);
  });

  it('flags a card whose ICCID is also on another account, in the list and the detail', async () => {
    const [cardId] = harness.cards.root;
    const card = (await harness.store.cards.get(cardId!))!;
    await harness.store.accounts.upsert({
      id: 'second',
      type: 'onelink-v2',
      settings: { baseUrl: 'http://second.test/v2', appid: 'x', ebids: {} },
      secrets: { password: 'y' },
    });
    await harness.store.cards.importCards('second', 'onelink-v2', [{ iccid: card.iccid! }]);
    const twin = (await harness.store.cards.findByIdentifier(card.iccid!)).find(
      (found) => found.account === 'second',
    )!;

    const detail = await harness.json('GET', `/api/v1/cards/${cardId}`);
    expect(detail.body.sameIccid).toEqual([{ id: twin.id, account: 'second' }]);
    const list = await harness.json('GET', `/api/v1/cards?q=${card.iccid}`);
    expect(list.body.cards.map((row: { id: number }) => row.id).sort()).toEqual(
      [cardId, twin.id].sort(),
    );
    for (const row of list.body.cards) expect(row.sameIccid).toHaveLength(1);
    // A card held once carries an empty list.
    const single = await harness.json('GET', `/api/v1/cards/${harness.cards.root[1]}`);
    expect(single.body.sameIccid).toEqual([]);
    // A tenant that sees one of the two is not told of the other.
    const acmeCard = harness.cards.acme[0]!;
    const acme = (await harness.store.cards.get(acmeCard))!;
    await harness.store.cards.importCards('second', 'onelink-v2', [{ iccid: acme.iccid! }]);
    const seen = await harness.json('GET', `/api/v1/cards/${acmeCard}`, { key: 'acmeAdmin' });
    expect(seen.body.sameIccid).toEqual([]);
  });

  it('alerts and import problems carry a code and parameters beside the English text', async () => {
    const [cardId] = harness.cards.root;
    await new AlertsRepository(harness.store).raise({
      ruleId: null,
      cardId: cardId!,
      account: ONELINK_ACCOUNT,
      cycle: '2024-11-01',
      dedupeKey: 'test:expiry',
      source: 'rule',
      kind: 'expiry',
      severity: 'warning',
      message: 'expires on 2024-11-26 (in 0 days)',
      data: { expiresOn: '2024-11-26', daysLeft: 0 },
    });
    const { body } = await harness.json('GET', '/api/v1/alerts');
    expect(body.alerts[0]).toMatchObject({
      message: 'expires on 2024-11-26 (in 0 days)',
      code: 'expires_soon',
      params: { expiresOn: '2024-11-26', days: 0 },
    });

    const report = await harness.json('POST', '/api/v1/cards/import', {
      body: {
        account: ONELINK_ACCOUNT,
        text: 'iccid\nnot-an-iccid\n89860000000000000001\n89860000000000000001',
      },
    });
    expect(report.status).toBe(200);
    expect(report.body.problems).toMatchObject([
      { line: 2, code: 'invalid_identifier', params: { kind: 'iccid' } },
      { line: 4, code: 'duplicate', params: { line: 3 } },
    ]);
  });

  it('filters alerts by severity, rule, account, state and date, pages past 100, acknowledges many', async () => {
    const alerts = new AlertsRepository(harness.store, () => harness.clock.now());
    const [cardId] = harness.cards.root;
    for (let index = 0; index < 130; index += 1) {
      await alerts.raise({
        cardId: cardId!,
        account: ONELINK_ACCOUNT,
        cycle: `c${index}`,
        dedupeKey: `test:${index}`,
        source: 'rule',
        kind: 'idle',
        severity: index % 2 === 0 ? 'critical' : 'warning',
        message: 'idle',
        data: { days: 3 },
      });
    }
    const first = await harness.json('GET', '/api/v1/alerts');
    expect(first.body.alerts).toHaveLength(100);
    const second = await harness.json('GET', `/api/v1/alerts?before=${first.body.nextCursor}`);
    expect(second.body.alerts).toHaveLength(30);
    expect(second.body.nextCursor).toBeNull();
    const critical = await harness.json('GET', '/api/v1/alerts?severity=critical&limit=500');
    expect(critical.body.alerts).toHaveLength(65);
    expect(
      critical.body.alerts.every((alert: { severity: string }) => alert.severity === 'critical'),
    ).toBe(true);
    const other = await harness.json('GET', '/api/v1/alerts?account=elsewhere');
    expect(other.body.alerts).toEqual([]);
    const rule = await harness.json('GET', '/api/v1/alerts?rule=99');
    expect(rule.body.alerts).toEqual([]);
    const today = cstToday(harness.clock.now());
    const dated = await harness.json('GET', `/api/v1/alerts?from=${today}&to=${today}&limit=500`);
    expect(dated.body.alerts).toHaveLength(130);
    const before = await harness.json('GET', `/api/v1/alerts?to=${addDays(today, -1)}`);
    expect(before.body.alerts).toEqual([]);

    const ids = critical.body.alerts.map((alert: { id: number }) => alert.id);
    const done = await harness.json('POST', '/api/v1/alerts/acknowledge', { body: { ids } });
    expect(done).toMatchObject({ status: 200, body: { acknowledged: 65 } });
    const open = await harness.json('GET', '/api/v1/alerts?state=open&limit=500');
    expect(open.body.alerts).toHaveLength(65);
    const again = await harness.json('POST', '/api/v1/alerts/acknowledge', { body: { ids } });
    expect(again.body.acknowledged).toBe(0);
    const viewer = await harness.json('POST', '/api/v1/alerts/acknowledge', {
      key: 'rootViewer',
      body: { ids },
    });
    expect(viewer.status).toBe(403);
    const hidden = await harness.json('POST', '/api/v1/alerts/acknowledge', {
      key: 'acmeAdmin',
      body: { ids: [ids[0]] },
    });
    expect(hidden.status).toBe(404);
  });
});
