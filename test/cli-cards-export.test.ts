import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../src/services/inventory/card-export.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { CliSandbox } from './cli-harness.js';

/** `simdock cards export`: the card list's filters, a file, progress on stderr. */
describe('simdock cards export', () => {
  const sandbox = new CliSandbox();
  afterAll(() => sandbox.remove());

  const lines = Array.from(
    { length: 2_300 },
    (_, index) => `8986990${String(index).padStart(13, '0')}`,
  );

  it('writes every matching card as CSV, as many rows as the filter matches', async () => {
    const simulated = createSupplierCatalog().get('onelink-v5').simulator.create({ size: 4 });
    const settings = Object.entries(simulated.settings('http://127.0.0.1:9'))
      .map(([key, value]) => `    ${key}: ${JSON.stringify(value)}\n`)
      .join('');
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db\naccounts:\n  - id: v5\n    type: onelink-v5\n${settings}`,
    );
    sandbox.write('cards.csv', `iccid\n${lines.join('\n')}\n`);
    const imported = await sandbox.run('cards', 'import', 'cards.csv', '--account', 'v5');
    expect(imported.code, imported.stderr).toBe(0);

    const result = await sandbox.run(
      'cards',
      'export',
      '--account',
      'v5',
      '--search',
      '8986990',
      '--sort',
      'iccid',
      '--order',
      'desc',
      '-o',
      'out/cards.csv',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Wrote 2300 cards to out\/cards\.csv/);
    // Progress on stderr, ending with every row.
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('exported 2300 of 2300 cards (100 %)');
    const rows = readFileSync(join(sandbox.directory, 'out/cards.csv'), 'utf8')
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(rows[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(rows).toHaveLength(2_301);
    expect(rows[1]).toContain('"89869900000000002299"');
    expect(existsSync(join(sandbox.directory, 'out/cards.csv.partial'))).toBe(false);
  });

  it('writes .xlsx (from the file name), and refuses bad options before writing', async () => {
    const result = await sandbox.run(
      'cards',
      'export',
      '--account',
      'v5',
      '-o',
      'cards.xlsx',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ format: 'xlsx', rows: 2_300 });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(sandbox.directory, 'cards.xlsx'));
    expect(workbook.getWorksheet('cards')!.rowCount).toBe(2_301);

    for (const args of [
      ['--status', 'lost'],
      ['--format', 'pdf'],
      ['--sort', 'colour'],
      ['--tenant', 'nobody'],
    ]) {
      const bad = await sandbox.run('cards', 'export', ...args, '-o', 'bad.csv');
      expect(bad.code, args.join(' ')).not.toBe(0);
      expect(existsSync(join(sandbox.directory, 'bad.csv'))).toBe(false);
      expect(existsSync(join(sandbox.directory, 'bad.csv.partial'))).toBe(false);
    }
  });
});
