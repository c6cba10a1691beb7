import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncAccount } from '../../src/services/sync/sync.js';
import { type ConsoleBrowser, canRunConsole, openConsole } from './console-browser.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';

/** The demo's China Unicom and China Telecom accounts (their simulators, as `npm start` runs them). */
const CARRIER_ACCOUNTS = ['demo-unicom-gw', 'demo-telecom-5g', 'demo-telecom-cmp'];

/**
 * An operator pauses and resumes one card of each carrier account from its card page, in zh-CN,
 * and the supplier holds the change: a status sync after each action reads it back.
 */
describe.skipIf(!canRunConsole)(
  'pause and resume on the China Unicom and China Telecom accounts',
  () => {
    let server: ConsoleServer;
    let page: Page;
    let opened: ConsoleBrowser | undefined;
    const errors: string[] = [];

    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
    const api = async (path: string): Promise<any> =>
      (await page.request.get(`${server.origin}${path}`)).json();

    beforeAll(async () => {
      server = await startConsoleServer(5);
      opened = await openConsole(server.origin, { errors });
      ({ page } = opened);
    }, 120_000);

    afterAll(async () => {
      await opened?.close();
      await server?.close();
    });

    /** Runs `action` from the card page and waits for its job to settle. */
    async function act(cardId: number, label: '停机' | '复机'): Promise<void> {
      await page.goto(`${server.origin}/cards/${cardId}`);
      const button = page.locator('.page-head .actions').getByRole('button', { name: label });
      await button.waitFor();
      expect(await button.isDisabled()).toBe(false);
      await button.click();
      await page.getByTestId('confirm').click();
      // The Unicom gateway applies a change asynchronously: simdock follows it until it lands.
      await expect
        .poll(() => page.getByTestId('job-progress').getAttribute('data-state'), {
          timeout: 45_000,
        })
        .toBe('succeeded');
    }

    /** The card's status as the supplier reports it now (a status sync, then the API). */
    async function supplierStatus(account: string, cardId: number): Promise<string> {
      await syncAccount(server.context, account, { days: 0, actor: 'test' });
      return (await api(`/api/v1/cards/${cardId}`)).status;
    }

    for (const account of CARRIER_ACCOUNTS) {
      it(`pauses and resumes a ${account} card from its page`, { timeout: 150_000 }, async () => {
        const listed = await api(`/api/v1/cards?account=${account}&status=active&sort=id&limit=1`);
        expect(listed.cards).toHaveLength(1);
        const cardId: number = listed.cards[0].id;

        await act(cardId, '停机');
        expect(await supplierStatus(account, cardId)).toBe('suspended');
        await page.reload();
        await expect
          .poll(() => page.locator('.card-detail .badge-suspended').count())
          .toBeGreaterThan(0);
        const history = await api(`/api/v1/cards/${cardId}/status-history`);
        expect(JSON.stringify(history)).toContain('suspended');

        await act(cardId, '复机');
        expect(await supplierStatus(account, cardId)).toBe('active');
        expect(errors).toEqual([]);
      });
    }
  },
);
