import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

/** Import from Excel as well as CSV, from the downloadable template, with the per-line report. */
describe('card import from Excel and the template', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open();
  });
  afterEach(() => api.close());

  it('fills the template and imports it, reporting bad rows by their sheet row', async () => {
    const response = await api.request('GET', '/api/v1/cards/import/template?format=xlsx');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('simdock-import-template.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, 'iccid', 'msisdn', 'imsi', 'imei']);
    expect(sheet.getColumn(1).numFmt).toBe('@');

    const fresh = [20, 21].map((index) => api.simulator.fleet.card(index).iccid);
    sheet.addRow([fresh[0]]);
    sheet.addRow(['not-an-iccid']);
    // Typed as a number: the spreadsheet already lost its last digits.
    sheet.addRow([Number(fresh[1])]);
    sheet.addRow([{ richText: [{ text: fresh[1]! }] }]);
    sheet.addRow([fresh[0]]);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer()).toString('base64');

    const first = await api.json('POST', '/api/v1/cards/import', {
      body: { account: ONELINK_ACCOUNT, xlsx },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ lines: 3, inserted: 2, existing: 0 });
    expect(
      first.body.problems.map((problem: { line: number; code: string }) => [
        problem.line,
        problem.code,
      ]),
    ).toEqual([
      [3, 'invalid_identifier'],
      [4, 'imprecise_number'],
      [6, 'duplicate'],
    ]);
    const listed = await api.json('GET', `/api/v1/cards?q=${fresh[1]}`);
    expect(listed.body.cards).toHaveLength(1);

    const again = await api.json('POST', '/api/v1/cards/import', {
      body: { account: ONELINK_ACCOUNT, xlsx },
    });
    expect(again.body).toMatchObject({ inserted: 0, existing: 2 });
  });

  it('offers a CSV template, and refuses a file that is not a workbook or two files at once', async () => {
    const csv = await api.request('GET', '/api/v1/cards/import/template?format=csv');
    expect(csv.status).toBe(200);
    expect(await csv.text()).toBe('iccid,msisdn,imsi,imei\r\n');

    const broken = await api.json('POST', '/api/v1/cards/import', {
      body: { account: ONELINK_ACCOUNT, xlsx: Buffer.from('iccid\n1').toString('base64') },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toContain('not an Excel');
    const both = await api.json('POST', '/api/v1/cards/import', {
      body: { account: ONELINK_ACCOUNT, text: 'iccid', xlsx: '' },
    });
    expect(both.status).toBe(400);
    const neither = await api.json('POST', '/api/v1/cards/import', {
      body: { account: ONELINK_ACCOUNT },
    });
    expect(neither.status).toBe(400);
    const viewer = await api.request('GET', '/api/v1/cards/import/template', {
      key: 'acmeViewer',
    });
    expect(viewer.status).toBe(403);
  });
});
