import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { CliSandbox } from './cli-harness.js';

describe('simdock cards import of an Excel file', () => {
  const sandbox = new CliSandbox();
  afterAll(() => sandbox.remove());

  it('reads the first worksheet as the CSV is, reporting bad rows by their sheet row', async () => {
    const simulated = createSupplierCatalog().get('onelink-v5').simulator.create({ size: 4 });
    const settings = Object.entries(simulated.settings('http://127.0.0.1:9'))
      .map(([key, value]) => `    ${key}: ${JSON.stringify(value)}\n`)
      .join('');
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db\naccounts:\n  - id: v5\n    type: onelink-v5\n${settings}`,
    );
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('cards');
    sheet.addRow(['ICCID', 'note']);
    for (const line of simulated.importLines().slice(0, 3)) sheet.addRow([line, 'ok']);
    sheet.addRow(['not-an-iccid', 'bad']);
    writeFileSync(
      join(sandbox.directory, 'cards.xlsx'),
      Buffer.from(await workbook.xlsx.writeBuffer()),
    );
    const result = await sandbox.run('cards', 'import', 'cards.xlsx', '--account', 'v5', '--json');
    expect(result.code, result.stderr).toBe(3);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ account: 'v5', lines: 3, inserted: 3, existing: 0 });
    expect(summary.problems).toEqual([
      expect.objectContaining({ line: 5, value: 'not-an-iccid', code: 'invalid_identifier' }),
    ]);
  });
});
