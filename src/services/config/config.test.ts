import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import { loadConfig } from './config.js';

function configIn(text: string) {
  const directory = mkdtempSync(join(tmpdir(), 'simdock-config-'));
  writeFileSync(join(directory, 'simdock.yaml'), text);
  return { cwd: directory, environment: {}, catalog: createSupplierCatalog() };
}

describe('configuration', () => {
  it('reads a schedule of syncs', () => {
    const config = loadConfig(
      configIn(`schedule:
  - key: status-every-15
    everyMinutes: 15
    sync: { days: 0 }
  - key: month-end
    monthlyOn: 1
    at: "11:00"
    sync: { month: previous, days: 0 }
`),
    );
    expect(config.schedule).toEqual([
      { key: 'status-every-15', everyMinutes: 15, sync: { days: 0 } },
      { key: 'month-end', monthlyOn: 1, at: '11:00', sync: { month: 'previous', days: 0 } },
    ]);
  });

  it('names the key and the problem of a bad schedule entry', () => {
    expect(() => loadConfig(configIn('schedule:\n  - key: x\n    at: "25:00"\n'))).toThrow(
      /simdock.yaml: schedule\[0\]\.at: a CST time HH:mm/,
    );
    expect(() =>
      loadConfig(configIn('schedule:\n  - key: x\n    everyMinutes: 5\n    sync: { dayz: 1 }\n')),
    ).toThrow(/schedule\[0\]\.sync/);
    expect(() => loadConfig(configIn('schedules: []\n'))).toThrow(/schedules: unknown key/);
  });
});
