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

function problem(text: string): string {
  try {
    loadConfig(configIn(text));
  } catch (error) {
    expect(error).toMatchObject({ code: 'config_error' });
    return (error as Error).message.replace(/^.*simdock\.yaml: /, '');
  }
  throw new Error('expected a configuration error');
}

const account = (id: string, more = '') =>
  `  - id: ${id}\n    type: onelink-v2\n    appid: "1001"\n    password: secret\n` +
  `    ebids: { batchquerycardinfo: "01", batchgprsusedbydate: "02" }\n${more}`;

describe('configuration: freshness targets', () => {
  it('reads per-account targets under sync:, over the file-wide default per need', () => {
    const config = loadConfig(
      configIn(
        `freshness: { status: 2h, usage.monthly: 12h }\naccounts:\n` +
          account('east', '    sync:\n      budgetShare: 0.7\n      freshness: { status: 30m }\n') +
          account('west'),
      ),
    );
    expect(config.accounts.map((item) => item.sync)).toEqual([
      { budgetShare: 0.7, freshness: { status: '30m', 'usage.monthly': '12h' } },
      { freshness: { status: '2h', 'usage.monthly': '12h' } },
    ]);
  });

  it('leaves accounts without targets as they were when the file sets no default', () => {
    const config = loadConfig(
      configIn(`accounts:\n${account('east', '    sync:\n      freshness: { status: 1d }\n')}`),
    );
    expect(config.accounts[0]!.sync).toEqual({ freshness: { status: '1d' } });
  });

  it.each([
    [
      account('east', '    sync:\n      freshness: { status: 1 }\n'),
      'accounts[0].sync.freshness.status: must be a duration like 30m, 1h, 6h or 1d (minutes, hours or days; 1m to 31d), not 1',
    ],
    [
      account('east', '    sync:\n      freshness: { status: 90s }\n'),
      /accounts\[0\]\.sync\.freshness\.status: must be a duration like 30m.*not "90s"/,
    ],
    [
      account('east', '    sync:\n      freshness: { status: 40d }\n'),
      /accounts\[0\]\.sync\.freshness\.status: .*1m to 31d/,
    ],
    [
      account('east', '    sync:\n      freshness: { usage.daily: 1h }\n'),
      'accounts[0].sync.freshness.usage.daily: unknown need (expected status, usage.monthly)',
    ],
    [
      account('east', '    sync:\n      freshness: 1h\n'),
      /accounts\[0\]\.sync\.freshness: must be a mapping of need to duration/,
    ],
    [
      account('east', '    sync:\n      freshnes: { status: 1h }\n'),
      'accounts[0].sync: unknown key (expected revisionDays, budgetShare, freshness)',
    ],
  ])('names the key and the problem of a bad target (%#)', (entry, expected) => {
    const message = problem(`accounts:\n${entry}`);
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });

  it('names a bad file-wide default', () => {
    expect(problem('freshness: { status: soon }\n')).toMatch(
      /^freshness\.status: must be a duration like 30m/,
    );
  });
});
