import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleBrowser, canRunConsole, openConsole } from './console-browser.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';

describe.skipIf(!canRunConsole)('console: freshness on the accounts page', () => {
  let server: ConsoleServer;
  let page: Page;
  let opened: ConsoleBrowser | undefined;
  let v5 = '';
  let agent = '';
  let v2 = '';

  beforeAll(async () => {
    server = await startConsoleServer(5);
    const { store } = server.context;
    const accounts = await store.accounts.list();
    // OneLink v5 reads one card's status a call: at 0.00001 calls/s (under one call a day) its
    // budget cannot hold a 2 h target. The agent API reads statuses in batches: no such bound.
    // OneLink v2 offers neither status nor month usage.
    const account = accounts.find((item) => item.type === 'onelink-v5')!;
    v5 = account.id;
    agent = accounts.find((item) => item.type === 'agent')!.id;
    v2 = accounts.find((item) => item.type === 'onelink-v2')!.id;
    await store.accounts.upsert({
      ...account,
      settings: { ...account.settings, rateLimit: 0.00001, sync: { freshness: { status: '2h' } } },
    });
    opened = await openConsole(server.origin, { viewport: { width: 1440, height: 900 } });
    ({ page } = opened);
  }, 180_000);

  afterAll(async () => {
    await opened?.close();
    await server?.close();
  });

  it('shows per account and need the share within target, p99 and what the budget holds, in Chinese and English', async () => {
    await page.evaluate(() => localStorage.setItem('simdock.language', 'zh-CN'));
    await page.goto(`${server.origin}/accounts`);
    await page.getByRole('columnheader', { name: '新鲜度' }).waitFor();
    // The agent account was synced when the server started: every status read within the hour.
    const agentStatus = page.getByTestId(`freshness-${agent}`).getByTestId('freshness-status');
    await expect
      .poll(() => agentStatus.textContent())
      .toMatch(/^状态：100% 在 1\s小时 内 · 99% 分位 \d+\s秒/);
    expect(
      await page
        .getByTestId(`freshness-${agent}`)
        .getByTestId('freshness-usage.monthly')
        .textContent(),
    ).toMatch(/^月用量：100% 在 6\s小时 内/);
    expect(
      await page
        .getByTestId(`freshness-${agent}`)
        .getByTestId('freshness-status-achievable')
        .count(),
    ).toBe(0);
    const v5Status = page.getByTestId(`freshness-${v5}`).getByTestId('freshness-status');
    await expect.poll(() => v5Status.textContent()).toMatch(/^状态：\d+% 在 2\s小时 内/);
    expect(await v5Status.getByTestId('freshness-status-achievable').textContent()).toMatch(
      /^调用预算可保持 ≈ [\d.]+\s(小时|天)；以 0\.00001 次\/秒达不到目标 2\s小时$/,
    );

    expect(await page.getByTestId(`freshness-${v2}`).textContent()).toBe(
      '该供应商不提供状态和月用量',
    );

    await page.evaluate(() => localStorage.setItem('simdock.language', 'en'));
    await page.goto(`${server.origin}/accounts`);
    await page.getByRole('columnheader', { name: 'Freshness' }).waitFor();
    const agentEn = page.getByTestId(`freshness-${agent}`).getByTestId('freshness-status');
    await expect
      .poll(() => agentEn.textContent())
      .toMatch(/^Status: 100% within 1\sh · p99 \d+\ss/);
    const v5En = page.getByTestId(`freshness-${v5}`).getByTestId('freshness-status');
    await expect.poll(() => v5En.textContent()).toMatch(/^Status: \d+% within 2\sh/);
    expect(await v5En.getByTestId('freshness-status-achievable').textContent()).toMatch(
      /^budget holds ≈ [\d.]+\s(h|d); target 2\sh not reachable at 0\.00001 calls\/s$/,
    );
    expect(await page.getByTestId(`freshness-${v2}`).textContent()).toBe(
      'the supplier offers no status or month usage',
    );
  }, 120_000);
});
