import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ServerType, serve } from '@hono/node-server';
import { sql } from 'kysely';
import { chromium } from 'playwright-core';
import { createApiApp } from '../src/api/app.js';
import { cstMonth } from '../src/domain/index.js';
import { UsersRepository } from '../src/services/access/access-users.js';
import { createServiceContext, saveAccounts } from '../src/services/context.js';
import { openStore } from '../src/store/index.js';
import { ROOT_TENANT_ID, TenantsRepository } from '../src/store/repositories/tenants-repository.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { machine, writeSection } from './report.js';

const CHROMIUM = '/usr/bin/chromium';
const CHUNK = 100_000;
const USER = { email: 'bench@example.com', password: 'console-bench-password' };
/** The statuses the filled fleet cycles through, so the table is not one colour. */
const STATUSES = ['active', 'active', 'active', 'suspended', 'inventory', 'test', 'deactivated'];

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * The console's cards page over a large SQLite database: fills it with N cards (default
 * 1,000,000, imported in chunks of 100,000), serves the API and the built console, signs in and
 * measures in chromium the time from navigation to the first rows of the cards table.
 */
export async function benchConsole(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '5' },
    },
  });
  const cards = Number(values.cards);
  const runs = Number(values.runs);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is absent: apt-get install chromium`);
  if (!existsSync(new URL('../dist/console/index.html', import.meta.url))) {
    throw new Error('the console is not built: npm run console:build');
  }
  const directory = mkdtempSync(join(tmpdir(), 'simdock-console-bench-'));
  const store = await openStore({
    url: `sqlite:${join(directory, 'bench.db')}`,
    secretKey: Buffer.alloc(32, 9),
  });
  let server: ServerType | null = null;
  try {
    const catalog = createSupplierCatalog();
    await saveAccounts(store, catalog, [
      {
        id: 'bench',
        type: 'onelink-v2',
        name: null,
        rateLimit: 0,
        settings: {
          baseUrl: 'http://onelink.simulator/v2',
          appid: 'bench',
          password: 'bench-password',
          ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
        },
      },
    ]);
    const fillStarted = performance.now();
    for (let start = 0; start < cards; start += CHUNK) {
      const rows = Array.from({ length: Math.min(CHUNK, cards - start) }, (_, offset) => {
        const index = start + offset;
        return {
          iccid: `898604${String(index).padStart(14, '0')}`,
          msisdn: `1064${String(index).padStart(9, '0')}`,
        };
      });
      await store.cards.importCards('bench', 'onelink-v2', rows);
      console.log(`filled ${Math.min(start + CHUNK, cards).toLocaleString('en')} cards`);
    }
    const statuses = STATUSES.map((status, index) => `when ${index} then '${status}'`).join(' ');
    await sql`update cards set status = case id % ${sql.lit(STATUSES.length)} ${sql.raw(statuses)} end`.execute(
      store.db,
    );
    // This month's usage of every card, so each row of the page carries a figure to show.
    const month = cstMonth(Date.now());
    await sql`insert into usage_monthly (card_id, month, bytes, updated_at)
      select id, ${month}, (id * 7919) % 2000000000, ${Date.now()} from cards`.execute(store.db);
    const fillSeconds = (performance.now() - fillStarted) / 1000;

    await new TenantsRepository(store).root();
    await new UsersRepository(store).create({ ...USER, role: 'owner', tenantId: ROOT_TENANT_ID });
    const context = createServiceContext({ store, catalog });
    const app = createApiApp({ context, options: { rateLimit: false } });
    const started: ServerType = await new Promise((resolve) => {
      const listening = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
        resolve(listening),
      );
    });
    server = started;
    const origin = `http://127.0.0.1:${(started.address() as AddressInfo).port}`;

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    const timings: number[] = [];
    let apiMilliseconds = Number.NaN;
    let sortedMilliseconds = Number.NaN;
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const login = await page.request.post(`${origin}/api/v1/auth/login`, { data: USER });
      if (!login.ok()) throw new Error(`sign-in answered ${login.status()}`);
      // The first visit loads and caches the console's script; each run then measures a page
      // load the way an operator opening the cards page sees it: navigation to the first row.
      await page.goto(`${origin}/cards`);
      await page.locator('[data-testid="cards-table"] tbody tr').first().waitFor();
      for (let run = 0; run < runs; run += 1) {
        await page.goto('about:blank');
        const begin = performance.now();
        await page.goto(`${origin}/cards`);
        await page.locator('[data-testid="cards-table"] tbody tr').first().waitFor();
        timings.push(performance.now() - begin);
      }
      const sortedBegin = performance.now();
      await page.goto(`${origin}/cards?sort=usage&order=desc`);
      await page
        .locator('[data-testid="cards-table"] tbody tr')
        .first()
        .waitFor({ timeout: 120_000 });
      sortedMilliseconds = performance.now() - sortedBegin;
      const apiBegin = performance.now();
      const answer = await page.request.get(`${origin}/api/v1/cards?limit=50`);
      apiMilliseconds = performance.now() - apiBegin;
      if (!answer.ok()) throw new Error(`/api/v1/cards answered ${answer.status()}`);
    } finally {
      await browser.close();
    }
    const first = Math.round(timings[0] ?? Number.NaN);
    const middle = Math.round(median(timings));
    const worst = Math.round(Math.max(...timings));
    console.log(`first page of ${cards} cards: median ${middle} ms, worst ${worst} ms`);
    writeSection(
      `console-${cards}`,
      `## Console: the cards page over ${cards.toLocaleString('en')} cards

Command: \`npm run bench -- console --cards ${cards}\` — machine: ${machine()}, SQLite (WAL),
Debian's chromium (headless) on the same machine, signed in as an owner.

Measured in chromium from navigation to \`/cards\` until the first row of the cards table is
shown (the console's script cached, as on an operator's second visit), ${runs} runs. Every
card has a status and this month's usage (one \`usage_monthly\` row each).

| figure | value |
|---|---|
| cards in the database | ${cards.toLocaleString('en')} |
| time to the first rows, median of ${runs} | ${middle} ms |
| time to the first rows, worst of ${runs} | ${worst} ms |
| time to the first rows, first run | ${first} ms |
| \`GET /api/v1/cards?limit=50\` alone | ${Math.round(apiMilliseconds)} ms |
| the page sorted by this month's usage (\`/cards?sort=usage&order=desc\`, not the default) | ${Math.round(sortedMilliseconds)} ms |
| filling the database (import in chunks of 100,000, statuses and a month of usage set) | ${fillSeconds.toFixed(1)} s |
| acceptance: under 1 s | ${worst < 1000 ? 'met' : 'NOT met'} |`,
    );
  } finally {
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
