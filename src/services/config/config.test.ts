import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import { loadConfig } from './config.js';

function configIn(text: string, environment: NodeJS.ProcessEnv = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'simdock-config-'));
  writeFileSync(join(directory, 'simdock.yaml'), text);
  return { cwd: directory, environment, catalog: createSupplierCatalog() };
}

/** The one line a configuration error prints, without the directory of the file. */
function problem(text: string, environment: NodeJS.ProcessEnv = {}): string {
  try {
    loadConfig(configIn(text, environment));
  } catch (error) {
    expect(error).toMatchObject({ code: 'config_error' });
    return (error as Error).message.replace(/^.*simdock\.yaml: /, '');
  }
  throw new Error('expected a configuration error');
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: a ${VAR} reference as simdock.yaml has it.
const PASSWORD = '${ONELINK_PASSWORD}';
const account = (id: string, more = '') =>
  `  - id: ${id}\n    type: onelink-v2\n    appid: "1001"\n    password: ${PASSWORD}\n` +
  `    ebids: { batchquerycardinfo: "01", batchgprsusedbydate: "02" }\n${more}`;
const secrets = { ONELINK_PASSWORD: 'Passw0rd' };

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

  it('reads accounts: their settings with environment references expanded, name and rate limit', () => {
    const config = loadConfig(
      configIn(
        `database: sqlite:./x.db\naccounts:\n${account('east', '    name: East\n    rateLimit: 2\n')}${account('west')}`,
        secrets,
      ),
    );
    expect(config.database).toBe('sqlite:./x.db');
    expect(config.schedule).toBeNull();
    expect(config.accounts).toEqual([
      {
        id: 'east',
        type: 'onelink-v2',
        name: 'East',
        rateLimit: 2,
        settings: {
          appid: '1001',
          password: 'Passw0rd',
          ebids: { batchquerycardinfo: '01', batchgprsusedbydate: '02' },
        },
      },
      {
        id: 'west',
        type: 'onelink-v2',
        name: null,
        rateLimit: null,
        settings: {
          appid: '1001',
          password: 'Passw0rd',
          ebids: { batchquerycardinfo: '01', batchgprsusedbydate: '02' },
        },
      },
    ]);
  });

  it('defaults the database, and lets a non-empty DATABASE_URL override it', () => {
    expect(loadConfig(configIn('')).database).toBe('sqlite:./data/simdock.db');
    expect(loadConfig(configIn('database:\naccounts:\n')).database).toBe(
      'sqlite:./data/simdock.db',
    );
    const override = { DATABASE_URL: 'postgres://db/simdock' };
    expect(loadConfig(configIn('database: sqlite:./x.db\n', override)).database).toBe(
      'postgres://db/simdock',
    );
    expect(loadConfig(configIn('database: sqlite:./x.db\n', { DATABASE_URL: '' })).database).toBe(
      'sqlite:./x.db',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${VAR} reference as simdock.yaml has it.
    expect(loadConfig(configIn('database: ${DB}\n', { DB: 'sqlite:./y.db' })).database).toBe(
      'sqlite:./y.db',
    );
    const none = loadConfig({
      cwd: mkdtempSync(join(tmpdir(), 'simdock-config-')),
      environment: override,
      catalog: createSupplierCatalog(),
    });
    expect(none).toEqual({
      file: null,
      database: 'postgres://db/simdock',
      accounts: [],
      schedule: null,
    });
  });

  it('refuses a configuration file named but absent', () => {
    const { cwd, catalog } = configIn('');
    expect(() => loadConfig({ cwd, catalog, explicitPath: 'nope.yaml', environment: {} })).toThrow(
      'nope.yaml: configuration file not found (from --config)',
    );
    expect(() =>
      loadConfig({ cwd, catalog, environment: { SIMDOCK_CONFIG: 'gone.yaml' } }),
    ).toThrow('gone.yaml: configuration file not found (from SIMDOCK_CONFIG)');
  });

  it.each([
    ['accounts: [\n', /^\(file\): not valid YAML \(line \d+\): /],
    ['- a\n- b\n', '(file): must be a mapping with the keys database and accounts'],
    ['just text\n', '(file): must be a mapping with the keys database and accounts'],
    ['database: mysql://x\n', 'database: must be "sqlite:PATH" or a postgres:// URL'],
    ['database: 5\n', 'database: must be "sqlite:PATH" or a postgres:// URL'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${VAR} reference as simdock.yaml has it.
    ['database: ${NO_DB}\n', 'database: environment variable NO_DB is not set'],
    ['accounts: { a: 1 }\n', 'accounts: must be a list'],
    ['accounts:\n  - just text\n', 'accounts[0]: must be a mapping'],
    ['accounts:\n  - [1]\n', 'accounts[0]: must be a mapping'],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a ${VAR} reference as simdock.yaml has it.
      `accounts:\n${account('a').replace(PASSWORD, '[x, "${NO_SECRET}"]')}`,
      'accounts[0].password[1]: environment variable NO_SECRET is not set',
    ],
    [
      'accounts:\n  - type: onelink-v2\n',
      'accounts[0].id: required: letters, digits, ".", "_" or "-", at most 64',
    ],
    [
      'accounts:\n  - id: -x\n    type: onelink-v2\n',
      'accounts[0].id: required: letters, digits, ".", "_" or "-", at most 64',
    ],
    [
      'accounts:\n  - id: 7\n    type: onelink-v2\n',
      'accounts[0].id: required: letters, digits, ".", "_" or "-", at most 64',
    ],
    [
      `accounts:\n${account('a')}${account('b')}${account('a')}`,
      'accounts[2].id: duplicate account id "a"',
    ],
    ['accounts:\n  - id: a\n', /^accounts\[0\]\.type: required \(one of onelink-v2, .*quectel/],
    [
      'accounts:\n  - id: a\n    type: nokia\n',
      /^accounts\[0\]\.type: unknown supplier type "nokia" \(known: onelink-v2, /,
    ],
    [
      `accounts:\n${account('a', '    rateLimit: -1\n')}`,
      'accounts[0].rateLimit: must be a number of calls per second (0 = unlimited)',
    ],
    [
      `accounts:\n${account('a', '    rateLimit: fast\n')}`,
      'accounts[0].rateLimit: must be a number of calls per second (0 = unlimited)',
    ],
    [
      `accounts:\n${account('a', '    rateLimit: .nan\n')}`,
      'accounts[0].rateLimit: must be a number of calls per second (0 = unlimited)',
    ],
    [
      `accounts:\n${account('a', '    rateLimit:\n')}`,
      'accounts[0].rateLimit: must be a number of calls per second (0 = unlimited)',
    ],
    [`accounts:\n${account('a').replace('"1001"', '""')}`, /^accounts\[0\] \(a\): .*"appid"/],
    // The first problem found is the one reported: entries in order, each key in order.
    [
      `accounts:\n${account('a', '    rateLimit: -1\n')}  - id: b\n    type: \${NOT_SET}\n`,
      'accounts[0].rateLimit: must be a number of calls per second (0 = unlimited)',
    ],
    [
      'accounts:\n  - id: -x\n    type: nokia\n    rateLimit: -1\n',
      'accounts[0].id: required: letters, digits, ".", "_" or "-", at most 64',
    ],
    [
      `accounts:\n  - id: a\n    type: nokia\n    key: \${NOT_SET}\n`,
      'accounts[0].key: environment variable NOT_SET is not set',
    ],
    [
      'accounts:\n  - id: a\n    type: nokia\ndatabase: mysql://x\n',
      'database: must be "sqlite:PATH" or a postgres:// URL',
    ],
    [
      'database: mysql://x\nschedule:\n  - key: x\n',
      'schedule[0]: give everyMinutes, or at and/or monthlyOn',
    ],
    [
      'database: mysql://x\nextra: 1\n',
      'extra: unknown key (expected database, accounts, schedule, freshness)',
    ],
  ])('names the key and the problem: %j', (text, expected) => {
    const message = problem(text, secrets);
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });
});
