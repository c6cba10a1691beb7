import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkJobsRepository } from '../../src/store/repositories/bulk-repository.js';
import { type ConsoleBrowser, canRunConsole, openConsole } from './console-browser.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';

/**
 * What was read-only, created from the console: a user, an API key (its secret shown once), a
 * tenant with cards assigned from a pasted list, a webhook; a job's detail page and a retry of
 * its failed cards; a sync started from the accounts page.
 */
describe.skipIf(!canRunConsole)('console: creating what was read-only', () => {
  let server: ConsoleServer;
  let browser: BrowserContext;
  let page: Page;
  let opened: ConsoleBrowser | undefined;

  /** An API answer with the browser's session cookie, or with an API key. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  async function call(path: string, key?: string): Promise<{ status: number; body: any }> {
    const cookie = (await browser.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : { cookie };
    const response = await fetch(`${server.origin}${path}`, { headers });
    return { status: response.status, body: await response.json() };
  }

  beforeAll(async () => {
    server = await startConsoleServer(10);
    opened = await openConsole(server.origin, { locale: 'en' });
    ({ context: browser, page } = opened);
    await page.evaluate(() => localStorage.setItem('simdock.language', 'en'));
  }, 120_000);

  afterAll(async () => {
    await opened?.close();
    await server?.close();
  });

  it('creates a user, and an API key whose secret is shown once, then revokes the key', async () => {
    await page.goto(`${server.origin}/users`);
    await page.getByRole('heading', { name: 'Users, keys and tenants' }).waitFor();
    await page.getByTestId('user-new').click();
    const userForm = page.getByTestId('user-form');
    await userForm.getByLabel('E-mail').fill('night-shift@example.com');
    await userForm.getByLabel('Initial password (8 characters or more)').fill('night-shift-pw-1');
    await userForm.getByLabel('Role').selectOption('operator');
    await userForm.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('users-table').getByText('night-shift@example.com').waitFor();
    const users = await call('/api/v1/users');
    expect(users.body.users).toContainEqual(
      expect.objectContaining({ email: 'night-shift@example.com', role: 'operator' }),
    );

    await page.getByTestId('key-new').click();
    const keyForm = page.getByTestId('key-form');
    await keyForm.getByLabel('Name').fill('billing-export');
    await keyForm.getByLabel('Role').selectOption('viewer');
    await keyForm.getByRole('button', { name: 'Create' }).click();
    const secret = page.getByTestId('secret-once');
    await secret.waitFor();
    expect(await secret.textContent()).toContain('it will not be shown again');
    await secret.getByRole('button', { name: 'Copy' }).waitFor();
    const key = (await page.getByTestId('secret-value').textContent())!.trim();
    expect(key).toMatch(/^simdock_/);
    expect((await call('/api/v1/cards?limit=1', key)).status).toBe(200);
    await secret.getByRole('button', { name: 'Done' }).click();
    await secret.waitFor({ state: 'detached' });
    // Gone for good: the page (and the list) hold only the key's prefix.
    expect(await page.content()).not.toContain(key);
    const keys = page.getByTestId('keys-table');
    const row = keys.getByRole('row').filter({ hasText: 'billing-export' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByTestId('confirm').click();
    await row.getByText('Revoked').waitFor();
    expect((await call('/api/v1/cards?limit=1', key)).status).toBe(401);
  });

  it('creates a tenant and assigns it cards from a pasted ICCID list', async () => {
    await page.goto(`${server.origin}/users`);
    await page.getByTestId('tenant-new').click();
    const form = page.getByTestId('tenant-form');
    await form.getByLabel('Tenant ID (lower-case letters, digits and -)').fill('harbour-fleet');
    await form.getByLabel('Name').fill('Harbour Fleet');
    await form.getByLabel('Kind').selectOption('customer');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('tenants-table').getByText('harbour-fleet').waitFor();

    const cards = (await call('/api/v1/cards?limit=3')).body.cards as { iccid: string }[];
    const assignment = page.getByTestId('card-assignment');
    await assignment.getByLabel('Tenant').selectOption('harbour-fleet');
    await assignment
      .getByLabel('ICCIDs, MSISDNs or IMSIs, one a line')
      .fill([...cards.map((card) => card.iccid), '89860000000000000000'].join('\n'));
    await assignment.getByRole('button', { name: 'Assign to the tenant' }).click();
    const result = page.getByTestId('assign-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('3 cards assigned to harbour-fleet.');
    expect(await result.textContent()).toContain('Matched no card: 89860000000000000000');
    const theirs = await call('/api/v1/cards?tenant=harbour-fleet');
    expect(theirs.body.cards.map((card: { iccid: string }) => card.iccid).sort()).toEqual(
      cards.map((card) => card.iccid).sort(),
    );
  });

  it('creates a webhook (its signing secret shown once), disables, edits and deletes it', async () => {
    await page.goto(`${server.origin}/webhooks`);
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByTestId('webhook-new').click();
    const editor = page.getByTestId('webhook-editor');
    // A host that cannot resolve (.invalid never does): the error names the field to fix.
    await editor.getByLabel('Endpoint URL (https)').fill('https://hooks.simdock.invalid/simdock');
    await editor.getByRole('button', { name: 'Create' }).click();
    await expect
      .poll(() => editor.getByRole('alert').textContent())
      .toBe('The request is not valid. Check: url.');
    await editor.getByLabel('Endpoint URL (https)').fill('https://93.184.215.14/simdock');
    await editor.getByLabel('card.status_changed').check();
    await editor.getByRole('button', { name: 'Create' }).click();
    const secret = page.getByTestId('secret-value');
    await secret.waitFor();
    expect(await secret.textContent()).toMatch(/^whsec_/);
    await page.getByTestId('secret-once').getByRole('button', { name: 'Done' }).click();
    const endpoints = page.getByTestId('webhook-endpoints');
    const row = endpoints.getByRole('row').filter({ hasText: '93.184.215.14' });
    await row.getByText('card.status_changed').waitFor();
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByRole('button', { name: 'Enable' }).waitFor();
    await row.getByRole('button', { name: 'Edit' }).click();
    await page.getByTestId('webhook-editor').getByLabel('Description').fill('harbour alarms');
    await page.getByTestId('webhook-editor').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('webhook-editor').waitFor({ state: 'detached' });
    const stored = (await call('/api/v1/webhooks')).body.endpoints;
    expect(stored).toEqual([
      expect.objectContaining({
        url: 'https://93.184.215.14/simdock',
        description: 'harbour alarms',
        eventTypes: ['card.status_changed'],
        enabled: false,
      }),
    ]);
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByTestId('confirm').click();
    await page.getByText('No webhook endpoints.').waitFor();
  });

  it('opens a job’s detail from the list and retries its failed cards', async () => {
    const cards = (await call('/api/v1/cards?limit=4')).body.cards as {
      id: number;
      account: string;
    }[];
    const jobs = new BulkJobsRepository(server.context.store);
    const job = await jobs.create({
      action: 'resume',
      params: {},
      selection: { cardIds: cards.length },
      createdBy: 'test',
      cards: cards.map((card) => ({ cardId: card.id, account: card.account })),
    });
    const items = await jobs.items(job.id);
    await jobs.settle(
      items.map((item, index) =>
        index < 2
          ? { id: item.id, state: 'failed', code: 'supplier_unavailable', message: 'no answer' }
          : { id: item.id, state: 'done' },
      ),
    );
    await jobs.refreshCounts(job.id);
    await jobs.update(job.id, { state: 'partial', finishedAt: Date.now() });

    await page.goto(`${server.origin}/jobs`);
    await page
      .getByTestId('jobs-table')
      .getByRole('link', { name: String(job.id) })
      .click();
    await page.getByRole('heading', { name: `Job #${job.id}` }).waitFor();
    const detail = page.getByTestId('job-detail');
    expect(await detail.getAttribute('data-state')).toBe('partial');
    const table = page.getByTestId('job-items');
    await table.locator('tr[data-state="failed"]').first().waitFor();
    expect(await table.locator('tbody tr').count()).toBe(4);
    await page.getByTestId('job-items-state').selectOption('failed');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    expect(await table.textContent()).toContain('The supplier is unavailable.');

    await page.getByTestId('job-retry').click();
    await page.getByTestId('confirm').click();
    await page.waitForURL((url) => url.pathname !== `/jobs/${job.id}`);
    const retryId = Number(new URL(page.url()).pathname.split('/').pop());
    expect(retryId).toBeGreaterThan(job.id);
    await page.getByRole('heading', { name: `Job #${retryId}` }).waitFor();
    await page.getByRole('link', { name: `#${job.id}` }).waitFor();
    await expect
      .poll(() => page.getByTestId('job-detail').getAttribute('data-state'), { timeout: 20_000 })
      .toMatch(/succeeded|partial|failed/);
    const retried = (await call(`/api/v1/jobs/${retryId}`)).body;
    expect(retried).toMatchObject({ action: 'resume', total: 2, selection: { retryOf: job.id } });
    const retriedItems = (await call(`/api/v1/jobs/${retryId}/items`)).body.items;
    expect(retriedItems.map((item: { cardId: number }) => item.cardId)).toEqual(
      cards.slice(0, 2).map((card) => card.id),
    );
  });

  it('syncs an account now from the accounts page and shows the run’s result', async () => {
    const account = (await call('/api/v1/accounts')).body.accounts[0].id as string;
    const before = (await call(`/api/v1/sync-runs?account=${account}`)).body.runs.length;
    await page.goto(`${server.origin}/accounts`);
    await page.getByTestId(`sync-now-${account}`).click();
    const status = page.getByTestId(`sync-now-status-${account}`);
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(/Sync (Succeeded|Partial|Failed): \d+ of \d+ cards/);
    const after = (await call(`/api/v1/sync-runs?account=${account}`)).body.runs.length;
    expect(after).toBe(before + 1);
  });
});
