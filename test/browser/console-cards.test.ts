import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleBrowser, canRunConsole, openConsole } from './console-browser.js';
import { type ConsoleServer, startConsoleServer } from './console-server.js';

/** The cards page at fleet scale: count, page size, Enter, quota and expiry, saved filters. */
describe.skipIf(!canRunConsole)('cards page at fleet scale', () => {
  let server: ConsoleServer;
  let page: Page;
  let opened: ConsoleBrowser | undefined;
  const errors: string[] = [];

  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  const api = async (path: string): Promise<any> =>
    (await page.request.get(`${server.origin}${path}`)).json();
  const rows = () => page.locator('[data-testid="cards-table"] tbody tr');
  const total = () => page.getByTestId('cards-total');
  const search = () => new URL(page.url()).searchParams;

  beforeAll(async () => {
    server = await startConsoleServer();
    opened = await openConsole(server.origin, { errors });
    ({ page } = opened);
  }, 120_000);

  afterAll(async () => {
    await opened?.close();
    await server?.close();
  });

  it('shows the total of matches and pages by the size chosen', async () => {
    const count = await api('/api/v1/cards/count');
    expect(count.exact).toBe(true);
    expect(count.total).toBeGreaterThan(50);
    await page.goto(`${server.origin}/cards`);
    await page.getByTestId('cards-table').waitFor();
    await expect.poll(() => total().textContent()).toBe(`共 ${count.total} 张卡`);
    expect(await rows().count()).toBe(50);

    await page.locator('select[name="limit"]').selectOption('20');
    await expect.poll(() => rows().count()).toBe(20);
    expect(search().get('limit')).toBe('20');

    const active = await api('/api/v1/cards/count?status=active');
    await page.locator('select[name="status"]').selectOption('active');
    await expect.poll(() => total().textContent()).toBe(`共 ${active.total} 张卡`);
    expect(errors).toEqual([]);
  });

  it('applies a typed filter on Enter, without leaving the field', async () => {
    await page.goto(`${server.origin}/cards`);
    await page.getByTestId('cards-table').waitFor();
    const field = page.getByLabel('用量 ≥ MB');
    await field.fill('1');
    await field.press('Enter');
    await expect.poll(() => search().get('usageMin')).toBe(String(1024 * 1024));
    const count = await api(`/api/v1/cards/count?usageMin=${1024 * 1024}`);
    await expect.poll(() => total().textContent()).toBe(`共 ${count.total} 张卡`);
  });

  it('opens the dashboard’s expiring and near-quota cards as card lists', async () => {
    const stats = await api('/api/v1/cards/stats');
    await page.goto(`${server.origin}/`);
    await page.getByTestId('expiring-list').click();
    await page.waitForURL(/\/cards\?expiresWithin=30/);
    await expect.poll(() => total().textContent()).toBe(`共 ${stats.expiringSoonTotal} 张卡`);
    if (stats.expiringSoonTotal > 0) await page.getByTestId('cards-table').waitFor();

    await page.goto(`${server.origin}/`);
    await page.getByTestId('near-quota-list').click();
    await page.waitForURL(/\/cards\?quotaMin=80/);
    await expect.poll(() => total().textContent()).toBe(`共 ${stats.nearQuotaTotal} 张卡`);
  });

  it('saves a filter under a name and brings it back after a reload', async () => {
    await page.goto(`${server.origin}/cards?status=active&limit=20`);
    await page.getByTestId('cards-table').waitFor();
    await page.getByLabel('筛选名称').fill('在用小页');
    await page.getByRole('button', { name: '保存筛选' }).click();

    await page.goto(`${server.origin}/cards`);
    await page.getByTestId('cards-table').waitFor();
    expect(search().get('status')).toBeNull();
    await page.getByLabel('已存筛选').selectOption('在用小页');
    await expect.poll(() => search().get('status')).toBe('active');
    expect(search().get('limit')).toBe('20');
    await expect.poll(() => rows().count()).toBe(20);
    expect(await page.locator('select[name="status"]').inputValue()).toBe('active');
    expect(errors).toEqual([]);
  });

  it('exports every matching card as a job: start, progress, download (CSV and Excel)', async () => {
    const count = await api('/api/v1/cards/count?status=active');
    expect(count.total).toBeGreaterThan(20);
    await page.goto(`${server.origin}/cards?status=active&limit=20`);
    await page.getByTestId('cards-table').waitFor();
    await expect.poll(() => total().textContent()).toBe(`共 ${count.total} 张卡`);

    const job = page.getByTestId('cards-export-job');
    await page.getByRole('button', { name: '全部导出（CSV）' }).click();
    await job.waitFor();
    // The job's progress, to its end: every matching card written, the file offered.
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 20_000 }).toBe('succeeded');
    expect(await page.getByTestId('cards-export-progress').textContent()).toBe(
      `已写入 ${count.total} / ${count.total} 张卡`,
    );
    expect(await job.textContent()).toContain('已完成');
    expect(await job.locator('progress').getAttribute('value')).toBe('100');
    const exports = await api('/api/v1/cards/exports');
    expect(exports.exports[0]).toMatchObject({
      state: 'succeeded',
      format: 'csv',
      filters: { status: 'active' },
      rows: count.total,
    });
    const csv = page.waitForEvent('download');
    await page.getByTestId('cards-export-download').click();
    const csvFile = await csv;
    expect(csvFile.suggestedFilename()).toMatch(/^simdock-cards-.*\.csv$/);
    const text = readFileSync((await csvFile.path())!, 'utf8');
    expect(text.trimEnd().split('\r\n').length - 1).toBe(count.total);

    await page.getByRole('button', { name: '全部导出（Excel）' }).click();
    await expect
      .poll(async () => (await api('/api/v1/cards/exports')).exports.length, { timeout: 10_000 })
      .toBe(exports.exports.length + 1);
    const [latest] = (await api('/api/v1/cards/exports')).exports;
    expect(latest.format).toBe('xlsx');
    await expect.poll(() => job.textContent(), { timeout: 10_000 }).toContain(`#${latest.id}`);
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 20_000 }).toBe('succeeded');
    const xlsx = page.waitForEvent('download');
    await page.getByTestId('cards-export-download').click();
    const xlsxFile = await xlsx;
    expect(xlsxFile.suggestedFilename()).toMatch(/\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await xlsxFile.path())!);
    expect(workbook.getWorksheet('cards')!.rowCount - 1).toBe(count.total);
    expect(errors).toEqual([]);
  });

  it('imports an Excel file filled from the template, with the per-line report in Chinese', async () => {
    const { cards } = await api('/api/v1/cards?limit=1&sort=id');
    await page.goto(`${server.origin}/cards`);
    await page.getByTestId('cards-table').waitFor();
    await page.getByRole('button', { name: '导入 CSV / Excel' }).click();
    const form = page.getByTestId('cards-import');
    const template = form.getByRole('link', { name: '下载 Excel 模板' });
    const response = await page.request.get(
      `${server.origin}${await template.getAttribute('href')}`,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await response.body()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    sheet.addRow([cards[0].iccid]);
    sheet.addRow(['not-an-iccid']);
    sheet.addRow([Number(cards[0].iccid)]);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());

    await form.locator('select').selectOption(cards[0].account);
    await form.locator('input[type="file"]').setInputFiles({
      name: 'cards.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer,
    });
    await form.getByRole('button', { name: '导入', exact: true }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    const text = await report.textContent();
    expect(text).toContain('已存在 1 张');
    expect(text).toContain('不是有效的 ICCID');
    expect(text).toContain('数字过长');
    expect(errors).toEqual([]);
  });
});
