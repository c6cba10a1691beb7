import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkJobsRepository } from '../../src/store/repositories/bulk-repository.js';
import { CONSOLE_USER, type ConsoleServer, startConsoleServer } from './console-server.js';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Latin words a zh-CN page may show: identifiers' names, units and brands. Anything with a digit,
 * `-`, `_`, `@`, `.`, `/` or `:` is an identifier or a data value (ICCIDs, account ids, e-mails),
 * and so are the words of names the data holds (accounts, users, tenants, plans, pools, rules).
 */
const ALLOWED_WORDS = new Set(
  (
    'ICCID MSISDN IMSI IMEI API CSV SMS Excel Webhook Webhooks URL ID IDs simdock eSIM OneLink M2M ' +
    'B KB MB GB TB dBm GHz Wi Fi SSID JSON HTTP HTTPS OK English'
  ).split(' '),
);

/** The English words of a zh-CN page's text, outside identifiers and data values. */
function englishWords(text: string, dataWords: Set<string>): string[] {
  return text
    .split(/[\s，。、；：（）()「」《》“”"'!?！？·|—–,;×→%…[\]{}<>=+*#]+/u)
    .filter((token) => /[A-Za-z]/.test(token) && !/[0-9\-_@./:]/.test(token))
    .filter((token) => !ALLOWED_WORDS.has(token) && !dataWords.has(token));
}

/** Job 1, ended with a card of each outcome, so its detail page shows every label (admin). */
async function seedEndedJob(server: ConsoleServer): Promise<void> {
  const jobs = new BulkJobsRepository(server.context.store);
  const { cards } = await server.context.store.cards.list({ limit: 4 });
  const job = await jobs.create({
    action: 'sms',
    params: { text: '测试' },
    selection: { cardIds: cards.length },
    createdBy: 'test',
    cards: cards.map((card) => ({ cardId: card.id, account: card.account })),
  });
  const items = await jobs.items(job.id);
  const outcomes = [
    { state: 'failed', code: 'supplier_unavailable' },
    { state: 'skipped', code: 'unsupported' },
    { state: 'done' },
    { state: 'pending' },
  ] as const;
  await jobs.settle(items.map((item, index) => ({ id: item.id, ...outcomes[index % 4]! })));
  await jobs.refreshCounts(job.id);
  await jobs.update(job.id, { state: 'partial', finishedAt: Date.now() });
}

const PAGES = [
  '/',
  '/cards',
  '/cards/1',
  '/devices',
  '/devices/1',
  '/jobs',
  '/jobs/1',
  '/alerts',
  '/rules',
  '/pools',
  '/plans',
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
    await seedEndedJob(server);
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
        // Signed in (the sign-in page has a heading too): the session cookie is set.
        await page.getByTestId('me').waitFor({ state: 'attached' });
        await page.evaluate((chosen) => localStorage.setItem('simdock.language', chosen), language);
        const dataWords = new Set<string>();
        for (const [path, key, fields] of [
          ['/api/v1/accounts', 'accounts', ['id', 'name']],
          ['/api/v1/users', 'users', ['name', 'email']],
          ['/api/v1/tenants', 'tenants', ['id', 'name']],
          ['/api/v1/plans', 'plans', ['name']],
          ['/api/v1/pools', 'pools', ['name']],
          ['/api/v1/rules', 'rules', ['name']],
          ['/api/v1/keys', 'keys', ['name']],
          ['/api/v1/devices', 'devices', ['deviceNo']],
        ] as const) {
          const cookie = (await browser.cookies())
            .map((entry) => `${entry.name}=${entry.value}`)
            .join('; ');
          // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
          const answer: any = await (
            await fetch(`${server.origin}${path}`, { headers: { cookie } })
          ).json();
          for (const row of answer[key] ?? []) {
            for (const field of fields) {
              for (const word of String(row[field] ?? '').split(/[^A-Za-z]+/)) {
                if (word) dataWords.add(word);
              }
            }
          }
        }
        for (const path of PAGES) {
          await page.goto(`${server.origin}${path}`);
          await page.locator('main h1, main h2').first().waitFor();
          await page.waitForLoadState('networkidle');
          expect(await page.locator('html').getAttribute('lang'), path).toBe(language);
          if (language === 'zh-CN') {
            // Every label loaded: wait for the page's queries, then read what it shows.
            await page.waitForTimeout(300);
            const text = await page.evaluate<string>('document.body.innerText');
            const titles = await page.evaluate<string>(
              `[...document.querySelectorAll('main [placeholder], main option')].map((element) => element.getAttribute('placeholder') ?? element.textContent).join(' ')`,
            );
            const words = englishWords(`${text} ${titles}`, dataWords);
            expect(words, `${path}: ${[...new Set(words)].join(' ')}`).toEqual([]);
          }
        }
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
