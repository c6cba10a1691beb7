import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_USER, type ConsoleServer, startConsoleServer } from './console-server.js';

/** Debian's chromium (`apt-get install -y chromium`); without it these tests skip, loudly. */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const hasConsoleBuild = existsSync(join(import.meta.dirname, '../../dist/console/index.html'));
const SCREENSHOTS = join(import.meta.dirname, '../../docs/screenshots');

if (!hasChromium) console.warn(`console browser tests SKIPPED: ${CHROMIUM} is absent`);
if (!hasConsoleBuild) console.warn('console browser tests SKIPPED: run `npm run console:build`');

describe.skipIf(!hasChromium || !hasConsoleBuild)('web console in chromium', () => {
  let server: ConsoleServer;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    server = await startConsoleServer();
    profile = mkdtempSync(join(tmpdir(), 'simdock-chromium-'));
    // A fresh profile per run: playwright passes it to chromium as --user-data-dir.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 900 },
      locale: 'zh-CN',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('signs in with e-mail and password', async () => {
    await page.goto(`${server.origin}/`);
    await page.getByLabel('邮箱').fill(CONSOLE_USER.email);
    await page.getByLabel('密码').fill('wrong password');
    await page.getByRole('button', { name: '登录' }).click();
    // A wrong password is answered after the login throttle's delay: allow for it on a busy machine.
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 })
      .toContain('邮箱或密码错误');
    await page.getByLabel('密码').fill(CONSOLE_USER.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByTestId('me').waitFor();
    expect(await page.getByTestId('me').textContent()).toContain('所有者');
  });

  it('shows the dashboard with data', async () => {
    await page.getByTestId('dashboard').waitFor();
    await expect
      .poll(async () =>
        Number((await page.getByTestId('total-cards').textContent())?.replace(/\D/g, '')),
      )
      .toBeGreaterThan(0);
    const counts = page.getByTestId('status-counts');
    await expect.poll(() => counts.textContent()).not.toContain('…');
    expect(await page.locator('.chart svg').count()).toBeGreaterThan(0);
    // The harness puts every card on a plan, some on a tight one, with expiries over 90 days.
    const quota = page.getByTestId('quota-panel');
    await expect.poll(() => quota.locator('.figure').textContent()).toMatch(/^\d+(\.\d)? %$/);
    expect(await quota.textContent()).toContain('已用');
    const near = page.getByTestId('near-quota').locator('tbody tr');
    await expect.poll(() => near.count()).toBeGreaterThan(0);
    const percents = (await near.locator('td.percent').allTextContents()).map((text) =>
      Number.parseFloat(text),
    );
    expect(percents.every((percent) => percent >= 80)).toBe(true);
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    const expiring = page.getByTestId('expiring-soon').locator('tbody tr');
    await expect.poll(() => expiring.count()).toBeGreaterThan(0);
    const days = (await expiring.locator('td.number').allTextContents()).map(Number);
    expect(days.every((day) => day >= 0 && day <= 30)).toBe(true);
    expect(days).toEqual([...days].sort((a, b) => a - b));
    await page.getByTestId('open-alerts').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-zh-CN.png'), fullPage: true });
  });

  it('filters the cards table by status and searches by ICCID, keeping both in the URL', async () => {
    await page.getByRole('link', { name: '物联卡' }).first().click();
    const table = page.getByTestId('cards-table');
    await table.waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'cards-zh-CN.png'), fullPage: true });

    await page.getByLabel('状态', { exact: true }).selectOption('active');
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('active');
    await expect
      .poll(async () => {
        const statuses = await table.locator('td[data-column="status"]').allTextContents();
        return statuses.length > 0 && statuses.every((status) => status === '正常');
      })
      .toBe(true);

    const iccid = (await table.locator('td[data-column="iccid"]').first().textContent())!.trim();
    await page.getByLabel('搜索', { exact: true }).fill(iccid);
    await page.getByRole('button', { name: '搜索' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(iccid);
    await expect
      .poll(() => table.locator('td[data-column="iccid"]').allTextContents())
      .toEqual([iccid]);

    // A reload keeps the filters: they live in the URL.
    await page.reload();
    await expect
      .poll(() =>
        page.getByTestId('cards-table').locator('td[data-column="iccid"]').allTextContents(),
      )
      .toEqual([iccid]);
  });

  it('bulk-pauses 3 cards, shows the job finishing and their status changing', async () => {
    // Quectel changes statuses at once (the M2M platform of the demo offers no lifecycle actions).
    await page.goto(`${server.origin}/cards?status=active&supplier=quectel&sort=id`);
    const table = page.getByTestId('cards-table');
    await table.waitFor();
    const boxes = table.locator('tbody input[type="checkbox"]');
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      await boxes.nth(index).check();
      ids.push((await table.locator('tbody tr').nth(index).getAttribute('data-card-id'))!);
    }
    await expect.poll(() => page.getByTestId('selected-count').textContent()).toContain('3');
    await page.locator('[data-action="pause"]').click();
    const summary = page.getByTestId('confirm-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/3 张卡/);
    await page.getByTestId('confirm').click();
    await expect
      .poll(() => page.getByTestId('job-progress').getAttribute('data-state'), { timeout: 20_000 })
      .toMatch(/succeeded|partial/);
    const jobs = await (await page.request.get(`${server.origin}/api/v1/jobs?limit=1`)).json();
    expect(jobs.jobs[0]).toMatchObject({ action: 'pause', total: 3, done: 3 });
    for (const id of ids) {
      const card = await (await page.request.get(`${server.origin}/api/v1/cards/${id}`)).json();
      expect(card.status).toBe('suspended');
    }
    // The table refreshes when the job finishes: the paused cards leave the "active" filter.
    await expect
      .poll(async () => {
        const shown = await table
          .locator('tbody tr')
          .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-card-id')));
        return ids.filter((id) => shown.includes(id));
      })
      .toEqual([]);
  });

  it('opens a card and shows its usage chart and SMS thread', async () => {
    // The heaviest user this month: a card with synced usage to chart.
    await page.goto(`${server.origin}/cards?sort=usage&order=desc`);
    const link = page.getByTestId('cards-table').locator('td[data-column="iccid"] a').first();
    await link.click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/cards\/\d+$/);
    const charts = page.locator('[data-testid$="-usage"] .chart svg');
    await charts.first().waitFor({ timeout: 10_000 });
    expect(await charts.first().locator('path').count()).toBeGreaterThan(0);
    await page.getByTestId('sms-thread').waitFor();
    expect(await page.getByTestId('sms-thread').textContent()).toContain('短信');
    // The carrier-side cap section is there, whether the card's supplier offers a cap or not.
    await page.getByTestId('carrier-cap').waitFor();
    expect(await page.getByTestId('carrier-cap').textContent()).toContain('达量断网');
    expect(await page.getByTestId('usage-cycle').textContent()).toMatch(/至 .*账期/);
    await page.screenshot({ path: join(SCREENSHOTS, 'card-detail-zh-CN.png'), fullPage: true });
  });

  it('lays the dashboard and card detail out at phone width', async () => {
    const cardPath = new URL(page.url()).pathname;
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of [cardPath, '/']) {
      await page.goto(`${server.origin}${path}`);
      await page.locator('.chart svg').first().waitFor();
      // Evaluated in the page (a string: this file is type-checked without the DOM library).
      // A wide table or fact scrolls inside its card (issue 15): what a box scrolling sideways
      // holds may reach past the screen, the box itself may not.
      const overflow = await page.evaluate<string[]>(`
        [...document.querySelectorAll('.content *')]
          .filter((element) => {
            for (let box = element.parentElement; box && box.matches('.content *'); box = box.parentElement) {
              if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return false;
            }
            return true;
          })
          .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 3)
          .map((element) => element.outerHTML.slice(0, 80))`);
      expect(overflow, path).toEqual([]);
      expect(
        await page.evaluate<number>('document.documentElement.scrollWidth'),
        path,
      ).toBeLessThanOrEqual(390);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('switches to English and back', async () => {
    await page.getByTestId('language').selectOption('en');
    await expect.poll(() => page.getByRole('link', { name: 'Dashboard' }).count()).toBe(1);
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe('en');
    await page.getByTestId('language').selectOption('zh-CN');
    await expect.poll(() => page.getByRole('link', { name: '总览' }).count()).toBe(1);
  });
});
