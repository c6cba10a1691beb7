import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleBrowser, canRunConsole, consoleApi, openConsole } from './console-browser.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';

/**
 * The operator's plan, pool and rule work in the console (zh-CN): the plans page with cards per
 * plan, putting cards on a plan from the cards table, creating a pool, and a rule on a plan
 * picked by name that asks before pausing, naming how many cards it would pause now.
 */
describe.skipIf(!canRunConsole)('plans, pools and rules', () => {
  let server: ConsoleServer;
  let page: Page;
  let opened: ConsoleBrowser | undefined;
  const errors: string[] = [];

  let get: ReturnType<typeof consoleApi>['get'];
  let post: ReturnType<typeof consoleApi>['post'];
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  const planNamed = async (name: string): Promise<any> =>
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
    (await get('/api/v1/plans')).plans.find((plan: any) => plan.name === name);

  beforeAll(async () => {
    server = await startConsoleServer();
    opened = await openConsole(server.origin, { viewport: { width: 1440, height: 900 }, errors });
    ({ page } = opened);
    ({ get, post } = consoleApi(opened, server.origin));
    page.on('response', (response) => {
      if (response.status() >= 500) errors.push(`${response.status()} ${response.url()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await opened?.close();
    await server?.close();
  });

  it('lists every plan with its quota, cycle and cards, and creates one', async () => {
    const { plans } = await get('/api/v1/plans');
    expect(plans.length).toBeGreaterThanOrEqual(2);
    await page.goto(`${server.origin}/plans`);
    await page.getByRole('heading', { name: '套餐' }).waitFor();
    const table = page.getByTestId('plans-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(plans.length);
    for (const plan of plans) {
      const row = table.locator(`tr[data-plan="${plan.name}"]`);
      expect(await row.getByTestId('plan-cards').textContent()).toBe(
        plan.cards.toLocaleString('zh-CN'),
      );
      expect(await row.textContent()).toContain(`每月 ${plan.cycleStartDay} 日起`);
      if (plan.expiry.nextExpiresOn) {
        expect(await row.textContent()).toContain(plan.expiry.nextExpiresOn);
      }
    }
    expect(plans.some((plan: { cards: number }) => plan.cards > 0)).toBe(true);

    await page.getByRole('button', { name: '新建套餐' }).click();
    const editor = page.getByTestId('plan-editor');
    await editor.getByLabel('名称').fill('物联 2GB');
    await editor.getByTestId('plan-quota').fill('2');
    await editor.getByLabel('周期起始日').fill('5');
    await editor.getByRole('button', { name: '保存' }).click();
    const created = table.locator('tr[data-plan="物联 2GB"]');
    await created.waitFor();
    expect(await created.textContent()).toContain('2.00 GB');
    expect(await created.textContent()).toContain('每月 5 日起');
    expect(await created.getByTestId('plan-cards').textContent()).toBe('0');
    expect(await planNamed('物联 2GB')).toMatchObject({
      quotaBytes: 2 * 1024 ** 3,
      cycleStartDay: 5,
    });
    expect(errors).toEqual([]);
  });

  it('puts selected cards, then every card matching the filter, on a plan from the bulk bar', async () => {
    await page.goto(`${server.origin}/cards?limit=20`);
    const rows = page.locator('[data-testid="cards-table"] tbody tr');
    await rows.first().waitFor();
    for (const index of [0, 1]) await rows.nth(index).getByLabel('选择此卡').check();
    await page.getByTestId('bulk-bar').getByRole('button', { name: '设置套餐' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('plan-choice').selectOption({ label: '物联 2GB' });
    await dialog.locator('input[name="expiresOn"]').fill('2027-03-31');
    await dialog.getByTestId('confirm').click();
    for (const index of [0, 1]) {
      await expect
        .poll(() => rows.nth(index).locator('[data-column="plan"]').textContent())
        .toBe('物联 2GB');
      expect(await rows.nth(index).locator('[data-column="expiresOn"]').textContent()).toBe(
        '2027-03-31',
      );
    }
    expect((await planNamed('物联 2GB')).cards).toBe(2);
    // The outcome stays in the bulk bar, with the selection (the bar used to close on it).
    expect(await page.getByTestId('plan-assigned').textContent()).toBe('已设置套餐：2 张卡。');
    for (const index of [0, 1])
      expect(await rows.nth(index).getByLabel('选择此卡').isChecked()).toBe(true);

    // Every card of one account: the filter, not the page.
    const { accounts } = await get('/api/v1/accounts');
    const account = accounts[0].id as string;
    const count = await get(`/api/v1/cards/count?account=${account}`);
    expect(count.total).toBeGreaterThan(20);
    await post('/api/v1/plans', { name: '整批套餐', quotaBytes: 1024 ** 3 });
    await page.goto(`${server.origin}/cards?account=${account}&limit=20`);
    await rows.first().waitFor();
    await page.getByLabel('选择本页').check();
    await page.getByRole('button', { name: '选择符合筛选条件的全部卡' }).click();
    await page.getByTestId('bulk-bar').getByRole('button', { name: '设置套餐' }).click();
    await dialog.getByTestId('plan-choice').selectOption({ label: '整批套餐' });
    await expect
      .poll(() => dialog.getByTestId('confirm').textContent())
      .toBe(`设置套餐（${count.total} 张卡）`);
    await dialog.getByTestId('confirm').click();
    await expect.poll(async () => (await planNamed('整批套餐')).cards).toBe(count.total);
    expect(await page.getByTestId('plan-assigned').textContent()).toBe(
      `已设置套餐：${count.total} 张卡。`,
    );
    await expect
      .poll(() => rows.first().locator('[data-column="plan"]').textContent())
      .toBe('整批套餐');
    expect(errors).toEqual([]);
  });

  it('creates, edits and deletes a pool', async () => {
    const { accounts } = await get('/api/v1/accounts');
    await page.goto(`${server.origin}/pools`);
    await page.getByRole('heading', { name: '流量池' }).waitFor();
    await page.getByRole('button', { name: '新建流量池' }).click();
    const editor = page.getByTestId('pool-editor');
    await editor.getByLabel('名称').fill('华东共享池');
    await editor.getByLabel('账号').selectOption(accounts[0].id);
    await editor.getByTestId('pool-quota').fill('10');
    await editor.getByRole('button', { name: '保存' }).click();
    const table = page.getByTestId('pools-table');
    const row = table.locator('tr', { hasText: '华东共享池' });
    await row.waitFor();
    expect(await row.textContent()).toContain('10.0 GB');
    expect(await row.textContent()).toContain(accounts[0].id);
    const { pools } = await get('/api/v1/pools');
    expect(pools).toEqual([
      expect.objectContaining({
        name: '华东共享池',
        account: accounts[0].id,
        quotaBytes: 10 * 1024 ** 3,
        source: 'simdock',
      }),
    ]);

    await row.getByRole('button', { name: '编辑' }).click();
    await editor.getByLabel('账号').selectOption('');
    await editor.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => row.textContent()).toContain('跨账号');

    await row.getByRole('button', { name: '删除' }).click();
    await page.getByRole('dialog').getByTestId('confirm').click();
    await expect.poll(async () => (await get('/api/v1/pools')).pools.length).toBe(0);
    expect(errors).toEqual([]);
  });

  it('picks a plan by name for a rule, asks with the pause count first, then disables and deletes it', async () => {
    const plan = await planNamed('test-64MB');
    expect(plan.cards).toBeGreaterThan(0);
    const body = {
      name: null,
      scope: 'plan',
      targetId: String(plan.id),
      kind: 'usage',
      thresholds: { percent: 50 },
      actions: [{ type: 'pause' }],
    };
    const preview = await post('/api/v1/rules/preview', body);
    const pausing = new Set(preview.matches.map((match: { cardId: number }) => match.cardId)).size;
    // The server's 64 MB plan holds cards near or over their quota whatever the day.
    expect(pausing).toBeGreaterThan(0);

    await page.goto(`${server.origin}/rules`);
    await page.getByRole('button', { name: '新建规则' }).click();
    const editor = page.getByTestId('rule-editor');
    await editor.getByLabel('适用于').selectOption('plan');
    const target = editor.getByTestId('rule-target');
    await target.selectOption({ label: 'test-64MB' });
    expect(await target.inputValue()).toBe(String(plan.id));
    await editor.getByLabel('额度百分比').fill('50');
    await editor.getByLabel('动作').selectOption('pause');
    await editor.getByRole('button', { name: '保存', exact: true }).click();

    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('pause-count').waitFor();
    expect(await dialog.getByTestId('pause-count').textContent()).toBe(
      `现在保存，它覆盖的 ${preview.covered} 张卡中有 ${pausing} 张今天已满足条件，将被停机。`,
    );
    expect(await dialog.getByTestId('confirm').textContent()).toBe(
      `保存（将停机 ${pausing} 张卡）`,
    );
    // Cancelling saves nothing.
    await dialog.getByRole('button', { name: '取消' }).click();
    expect((await get('/api/v1/rules')).rules).toHaveLength(0);
    await editor.getByRole('button', { name: '保存', exact: true }).click();
    await dialog.getByTestId('confirm').click();
    await expect.poll(async () => (await get('/api/v1/rules')).rules.length).toBe(1);
    const [rule] = (await get('/api/v1/rules')).rules;
    expect(rule).toMatchObject({ scope: 'plan', targetId: String(plan.id), enabled: true });

    const row = page.locator('tbody tr', { hasText: 'test-64MB' });
    await row.waitFor();
    expect(await row.textContent()).toContain('套餐 test-64MB');
    await row.getByRole('button', { name: '停用' }).click();
    await expect.poll(async () => (await get('/api/v1/rules')).rules[0].enabled).toBe(false);
    await row.getByRole('button', { name: '启用' }).waitFor();
    await row.getByRole('button', { name: '删除' }).click();
    await page.getByRole('dialog').getByTestId('confirm').click();
    await expect.poll(async () => (await get('/api/v1/rules')).rules.length).toBe(0);
    expect(errors).toEqual([]);
  });
});
