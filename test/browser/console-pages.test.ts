import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_USER, type ConsoleServer, startConsoleServer } from './console-server.js';

const CHROMIUM = '/usr/bin/chromium';

const PAGES = [
  '/',
  '/cards',
  '/cards/1',
  '/devices',
  '/jobs',
  '/alerts',
  '/rules',
  '/pools',
  '/accounts',
  '/sync-runs',
  '/webhooks',
  '/notifications',
  '/users',
  '/audit',
  '/no-such-page',
];

/**
 * Every console page in both languages at desktop and phone width: each renders its heading,
 * throws no error in the page, and no request it makes answers 5xx.
 */
describe.skipIf(!existsSync(CHROMIUM))('the console, page by page', () => {
  let server: ConsoleServer;
  beforeAll(async () => {
    server = await startConsoleServer();
  }, 120_000);
  afterAll(async () => server?.close());

  for (const [language, width, height] of [
    ['zh-CN', 1440, 900],
    ['en', 390, 844],
  ] as const) {
    it(`renders every page in ${language} at ${width}×${height} without errors`, async () => {
      const profile = mkdtempSync(join(tmpdir(), 'simdock-walk-'));
      const browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        viewport: { width, height },
        locale: language,
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
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
        page.on('response', (response) => {
          if (response.status() >= 500) errors.push(`${response.status()} ${response.url()}`);
        });
        await page.goto(`${server.origin}/`);
        await page.getByLabel('邮箱').fill(CONSOLE_USER.email);
        await page.getByLabel('密码').fill(CONSOLE_USER.password);
        await page.getByRole('button', { name: '登录' }).click();
        await page.locator('main h1, main h2').first().waitFor();
        await page.evaluate((chosen) => localStorage.setItem('simdock.language', chosen), language);
        for (const path of PAGES) {
          await page.goto(`${server.origin}${path}`);
          await page.locator('main h1, main h2').first().waitFor();
          await page.waitForLoadState('networkidle');
          expect(await page.locator('html').getAttribute('lang'), path).toBe(language);
        }
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
