import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRules } from '../../src/services/rules/rules-evaluate.js';
import { type ConsoleBrowser, canRunConsole, openConsole, signIn } from './console-browser.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';

/** Five bugs, each as a new operator met it, in zh-CN. */
describe.skipIf(!canRunConsole)('console bugs an operator met', () => {
  let server: ConsoleServer;
  let browser: BrowserContext;
  let page: Page;
  let opened: ConsoleBrowser | undefined;
  const errors: string[] = [];

  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  const api = async (path: string): Promise<any> =>
    (await page.request.get(`${server.origin}${path}`)).json();

  async function csrf(): Promise<string> {
    const cookies = await browser.cookies();
    return cookies.find((cookie) => cookie.name.includes('csrf'))?.value ?? '';
  }

  beforeAll(async () => {
    server = await startConsoleServer();
    opened = await openConsole(server.origin, { errors });
    ({ context: browser, page } = opened);
  }, 120_000);

  afterAll(async () => {
    await opened?.close();
    await server?.close();
  });

  it('device detail shows each slot’s status and name instead of crashing', async () => {
    const { devices } = await api('/api/v1/devices');
    expect(devices.length).toBeGreaterThan(0);
    await page.goto(`${server.origin}/devices/${devices[0].id}`);
    const slots = page.getByTestId('device-slots');
    await slots.waitFor();
    const text = await slots.textContent();
    expect(text).toContain('主卡槽');
    expect(text).toContain('正常');
    expect(text).not.toContain('main');
    expect(errors).toEqual([]);
  });

  it('a page that fails to render shows a message, and the rest of the console works', async () => {
    const { devices } = await api('/api/v1/devices');
    const path = `/api/v1/devices/${devices[0].id}`;
    // An answer the page cannot render (slots that are not a list).
    await page.route(`**${path}`, (route) =>
      route.fulfill({ json: { ...devices[0], slots: 'not a list' } }),
    );
    try {
      await page.goto(`${server.origin}/devices/${devices[0].id}`);
      await page.getByTestId('page-failed').waitFor();
      expect(await page.getByTestId('page-failed').textContent()).toContain('此页面无法显示');
      await page.getByRole('link', { name: '物联卡' }).first().click();
      await page.getByTestId('cards-table').waitFor();
    } finally {
      await page.unroute(`**${path}`);
      errors.length = 0;
    }
  });

  it('card detail shows its plan, quota use, cycle, expiry and days left', async () => {
    // The harness puts every eighth card on the 64 MB plan, the first among them.
    const { cards } = await api('/api/v1/cards?limit=1&sort=id');
    const plan = await api(`/api/v1/cards/${cards[0].id}/plan`);
    expect(plan.plan.name).toBe('test-64MB');
    await page.goto(`${server.origin}/cards/${cards[0].id}`);
    await page.getByTestId('card-plan').waitFor();
    expect(await page.getByTestId('card-plan-name').textContent()).toBe('test-64MB');
    expect(await page.getByTestId('card-plan-quota').textContent()).toMatch(/\/ 64\.0 MB/);
    expect(await page.getByTestId('card-plan-cycle').textContent()).toMatch(
      /^\d{4}-\d\d-\d\d 至 \d{4}-\d\d-\d\d（剩余 \d+ 天）$/,
    );
    expect(await page.getByTestId('card-plan-expiry').textContent()).toBe(
      plan.daysLeft === null ? '到期日未知' : `${plan.expiresOn}（${plan.daysLeft} 天后到期）`,
    );
    expect(await page.locator('.card-detail').textContent()).not.toContain('暂无额度信息');
  });

  it('sends an SMS to a card whose ICCID is on two accounts, flagging the duplicate', async () => {
    // The demo's accounts share no ICCID; an operator who imports a Quectel card into the M2M
    // account as well makes the pair this bug was about.
    const listed = await api('/api/v1/cards?supplier=quectel&sort=id&limit=1');
    const quectelCard = listed.cards[0];
    const accounts = await api('/api/v1/accounts');
    const m2m = accounts.accounts.find((account: { type: string }) => account.type === 'm2m10086');
    const imported = await page.request.post(`${server.origin}/api/v1/cards/import`, {
      data: { account: m2m.id, text: `${quectelCard.iccid}\n` },
      headers: { 'x-csrf-token': await csrf() },
    });
    expect(imported.status()).toBe(200);

    await page.goto(`${server.origin}/cards?supplier=quectel&sort=id`);
    const table = page.getByTestId('cards-table');
    await table.waitFor();
    await expect.poll(() => table.getByTestId('duplicate-iccid').count()).toBe(1);
    const row = table.locator('tbody tr', { has: page.getByTestId('duplicate-iccid') }).first();
    const id = Number(await row.getAttribute('data-card-id'));
    expect(id).toBe(quectelCard.id);
    const card = await api(`/api/v1/cards/${id}`);
    expect(card.sameIccid.length).toBeGreaterThan(0);

    await page.goto(`${server.origin}/cards/${id}`);
    await page.getByTestId('same-iccid').waitFor();
    expect(await page.getByTestId('same-iccid').textContent()).toContain(card.sameIccid[0].account);
    await page.getByLabel('短信内容').fill('ping from the console');
    await page.getByRole('button', { name: '发送', exact: true }).click();
    const thread = page.getByTestId('sms-thread');
    await expect.poll(() => thread.textContent()).toContain('ping from the console');
    expect(await thread.getByRole('alert').count()).toBe(0);
    const sent = await api(`/api/v1/cards/${id}/sms`);
    expect(sent.messages.at(-1)).toMatchObject({ text: 'ping from the console', cardId: id });
  });

  it('the supplier filter keeps offering every supplier once one is picked', async () => {
    await page.goto(`${server.origin}/cards`);
    await page.getByTestId('cards-table').waitFor();
    const supplier = page.getByLabel('供应商', { exact: true });
    const { suppliers } = await api('/api/v1/suppliers');
    const expected = suppliers.map((entry: { type: string }) => entry.type).sort();
    const offered = async () =>
      (
        await page.evaluate<string[]>(
          `[...document.querySelectorAll('select[name="supplier"] option')].map((option) => option.value)`,
        )
      )
        .filter((value) => value)
        .sort();
    await expect.poll(offered).toEqual(expected);
    await supplier.selectOption('quectel');
    await expect.poll(() => new URL(page.url()).searchParams.get('supplier')).toBe('quectel');
    await expect.poll(offered).toEqual(expected);
    // Names in the console's language, not the supplier type ids.
    expect(await supplier.locator('option[value="quectel"]').textContent()).toBe(
      '移远物联网连接服务',
    );
  });

  it('signing out replaces the dashboard with the sign-in form at once', async () => {
    await page.goto(`${server.origin}/`);
    await page.getByTestId('dashboard').waitFor();
    // Requests after the sign-out stall: what is on screen must not depend on them.
    await page.route('**/api/v1/**', async (route) => {
      if (route.request().url().endsWith('/auth/logout')) return route.continue();
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await route.continue().catch(() => {});
    });
    try {
      await page.getByRole('button', { name: '退出登录' }).click();
      await page.getByLabel('邮箱').waitFor({ timeout: 2_000 });
      expect(await page.getByTestId('dashboard').count()).toBe(0);
      expect(await page.getByTestId('me').count()).toBe(0);
    } finally {
      await page.unrouteAll({ behavior: 'ignoreErrors' });
    }
  });

  it('lists alerts in a table with filters, opens from the dashboard tile, acknowledges many', async () => {
    // An expiry rule over the demo's plan: the cards expiring within 400 days raise alerts.
    if (!(await page.getByTestId('me').count())) await signIn(page, server.origin);
    const created = await page.request.post(`${server.origin}/api/v1/rules`, {
      data: {
        name: 'expiring',
        scope: 'account',
        targetId: 'demo-quectel',
        kind: 'expiry',
        thresholds: { days: 400 },
        severity: 'critical',
      },
      headers: { 'x-csrf-token': await csrf() },
    });
    expect(created.status()).toBe(201);
    const summary = await evaluateRules(server.context, { actor: 'test' });
    expect(summary.alerts.length).toBeGreaterThan(1);

    await page.goto(`${server.origin}/`);
    await page.getByTestId('open-alerts-tile').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('state')).toBe('open');
    const table = page.getByTestId('alerts-table');
    await table.waitFor();
    const headers = await table.locator('thead th').allTextContents();
    expect(headers).toContain('级别');
    expect(await table.locator('tbody tr').first().textContent()).toContain('到期');
    await page.getByLabel('级别', { exact: true }).selectOption('critical');
    await expect.poll(() => new URL(page.url()).searchParams.get('severity')).toBe('critical');
    const rows = table.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(summary.alerts.length);
    await page.getByLabel('选择本页全部未处理告警').check();
    await page.getByTestId('acknowledge-selected').click();
    await expect
      .poll(() => table.locator('tbody tr[data-state="open"]').count(), { timeout: 10_000 })
      .toBe(0);
    const open = await api('/api/v1/alerts?state=open');
    expect(open.alerts).toEqual([]);
  });
});
