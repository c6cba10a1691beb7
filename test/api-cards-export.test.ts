import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../src/services/inventory/card-export.js';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

/** Exports of every card matching a filter, past the list's page size, as CSV and .xlsx. */
describe('GET /api/v1/cards/export', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
    const sync = await api.json('POST', '/api/v1/sync-runs', {
      body: { account: ONELINK_ACCOUNT },
    });
    expect(sync.status).toBe(200);
    // More than two of the export's thousand-row pages.
    await api.store.cards.importCards(
      ONELINK_ACCOUNT,
      'onelink-v2',
      Array.from({ length: 2_500 }, (_, index) => ({
        iccid: `8986990${String(index).padStart(13, '0')}`,
      })),
    );
  });
  afterEach(() => api.close());

  it('writes every matching card as CSV, as many rows as the count', async () => {
    const count = await api.json('GET', '/api/v1/cards/count?supplier=onelink-v2');
    expect(count.body.total).toBeGreaterThan(2_500);
    const response = await api.request('GET', '/api/v1/cards/export?supplier=onelink-v2');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/simdock-cards-.*\.csv/);
    const lines = (await response.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(lines.length - 1).toBe(count.body.total);
    const ids = lines.slice(1).map((line) => Number(line.split(',')[0]));
    expect(new Set(ids).size).toBe(ids.length);
    expect(lines.filter((line) => line.includes('"89869900000000002499"'))).toHaveLength(1);
  });

  it('writes the same cards as .xlsx, read back by ExcelJS', async () => {
    const count = await api.json('GET', '/api/v1/cards/count?q=8986990');
    expect(count.body).toEqual({ total: 2_500, exact: true });
    const response = await api.request('GET', '/api/v1/cards/export?q=8986990&format=xlsx');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const sheet = workbook.getWorksheet('cards')!;
    expect(sheet.rowCount - 1).toBe(count.body.total);
    expect(sheet.getRow(1).values).toEqual([undefined, ...EXPORT_COLUMNS]);
    expect(sheet.getRow(2).getCell(2).value).toBe('89869900000000000000');
    expect(sheet.getRow(2501).getCell(2).value).toBe('89869900000000002499');
  });

  it('refuses a bad filter or format before writing anything', async () => {
    expect((await api.json('GET', '/api/v1/cards/export?status=lost')).status).toBe(400);
    expect((await api.json('GET', '/api/v1/cards/export?format=pdf')).status).toBe(400);
    expect((await api.json('GET', '/api/v1/cards/export?tag=bad tag')).status).toBe(400);
  });
});
