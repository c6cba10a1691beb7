import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleBrowser, canRunConsole, consoleApi, openConsole } from './console-browser.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';

/**
 * Adding cards to a pool and taking them out from the console (zh-CN): the cards bulk bar's
 * 加入流量池 / 移出流量池 for the selected cards and for every card matching the filter, and the
 * pool's card count on the pools page following.
 */
describe.skipIf(!canRunConsole)('cards into and out of a pool', () => {
  let server: ConsoleServer;
  let page: Page;
  let opened: ConsoleBrowser | undefined;
  const errors: string[] = [];

  let get: ReturnType<typeof consoleApi>['get'];
  let post: ReturnType<typeof consoleApi>['post'];
  const membersOf = async (name: string): Promise<number> =>
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
    (await get('/api/v1/pools')).pools.find((pool: any) => pool.name === name).members;

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

  /** The pools page's card count of a pool, as shown. */
  async function shownMembers(name: string): Promise<string | null> {
    await page.goto(`${server.origin}/pools`);
    const cell = page.locator(`[data-testid="pool-members"][data-pool="${name}"]`);
    await cell.waitFor();
    return cell.textContent();
  }

  it('adds selected cards, then every card matching the filter, and takes one out', async () => {
    await post('/api/v1/pools', { name: '华北共享池', quotaBytes: 5 * 1024 ** 3 });
    expect(await shownMembers('华北共享池')).toBe('0');
    // The pools page says where cards are added.
    expect(await page.getByTestId('pool-cards-hint').textContent()).toContain('加入流量池');
    await page.getByTestId('pool-cards-hint').getByRole('link', { name: '前往卡片页' }).click();
    await page.waitForURL(/\/cards/);

    const { accounts } = await get('/api/v1/accounts');
    const account = accounts[0].id as string;
    const count = await get(`/api/v1/cards/count?account=${account}`);
    expect(count.total).toBeGreaterThan(20);
    const rows = page.locator('[data-testid="cards-table"] tbody tr');
    const bar = page.getByTestId('bulk-bar');
    const dialog = page.getByRole('dialog');

    // Two cards picked by hand.
    await page.goto(`${server.origin}/cards?account=${account}&limit=20`);
    await rows.first().waitFor();
    for (const index of [0, 1]) await rows.nth(index).getByLabel('选择此卡').check();
    await bar.getByRole('button', { name: '加入流量池' }).click();
    await dialog.getByTestId('pool-choice').selectOption({ label: '华北共享池' });
    expect(await dialog.getByTestId('confirm').textContent()).toBe('加入流量池（2 张卡）');
    await dialog.getByTestId('confirm').click();
    await expect
      .poll(() => bar.getByTestId('pool-added').textContent())
      .toBe('已加入流量池：2 张卡（共 2 张，其余原已在池中）。');
    expect(await membersOf('华北共享池')).toBe(2);
    expect(await shownMembers('华北共享池')).toBe('2');

    // Every card of the account: the filter, not the page; the two already in it stay once.
    await page.goto(`${server.origin}/cards?account=${account}&limit=20`);
    await rows.first().waitFor();
    await page.getByLabel('选择本页').check();
    await page.getByRole('button', { name: '选择符合筛选条件的全部卡' }).click();
    await bar.getByRole('button', { name: '加入流量池' }).click();
    await dialog.getByTestId('pool-choice').selectOption({ label: '华北共享池' });
    await expect
      .poll(() => dialog.getByTestId('confirm').textContent())
      .toBe(`加入流量池（${count.total} 张卡）`);
    await dialog.getByTestId('confirm').click();
    await expect
      .poll(() => bar.getByTestId('pool-added').textContent())
      .toBe(`已加入流量池：${count.total - 2} 张卡（共 ${count.total} 张，其余原已在池中）。`);
    expect(await membersOf('华北共享池')).toBe(count.total);
    expect(await shownMembers('华北共享池')).toBe(String(count.total));

    // One card out again.
    await page.goto(`${server.origin}/cards?account=${account}&limit=20`);
    await rows.first().waitFor();
    await rows.nth(0).getByLabel('选择此卡').check();
    await bar.getByRole('button', { name: '移出流量池' }).click();
    await dialog.getByTestId('pool-choice').selectOption({ label: '华北共享池' });
    expect(await dialog.getByTestId('confirm').textContent()).toBe('移出流量池（1 张卡）');
    await dialog.getByTestId('confirm').click();
    await expect
      .poll(() => bar.getByTestId('pool-removed').textContent())
      .toBe('已移出流量池：1 张卡（共 1 张，其余原不在池中）。');
    expect(await membersOf('华北共享池')).toBe(count.total - 1);
    expect(await shownMembers('华北共享池')).toBe(String(count.total - 1));

    const audit = await get('/api/v1/audit?limit=20');
    const actions = audit.entries.map((entry: { action: string }) => entry.action);
    expect(actions.filter((action: string) => action === 'pools.cards.add')).toHaveLength(2);
    expect(actions.filter((action: string) => action === 'pools.cards.remove')).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});
