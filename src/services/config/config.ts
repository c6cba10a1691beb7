import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { SimdockError } from '../../domain/index.js';
import type { SupplierCatalog } from '../../suppliers/spec/index.js';

/** One supplier account as configured: its id, type, and the supplier's own settings. */
export interface AccountConfig {
  id: string;
  type: string;
  name: string | null;
  /** Calls per second for this account (token bucket); 0 = unlimited. */
  rateLimit: number | null;
  /** The supplier settings (credentials, base URL, …), validated by the supplier definition. */
  settings: Record<string, unknown>;
}

/** A scheduled sync (`schedule:` in simdock.yaml): when, and what to sync. */
export interface ScheduleConfig {
  /** The entry's name, unique; also its dedupe key per period. */
  key: string;
  everyMinutes?: number;
  /** CST time `HH:mm`: daily, or on `monthlyOn`. */
  at?: string;
  /** Day of the month (1–31). */
  monthlyOn?: number;
  /** The sync: one account (default: all), days of daily usage (0 = none), which month. */
  sync: { account?: string; days?: number; month?: 'current' | 'previous' };
}

export interface SimdockConfig {
  /** The file the configuration came from; null when none was found (defaults apply). */
  file: string | null;
  /** `sqlite:PATH` or a `postgres://` URL. */
  database: string;
  accounts: AccountConfig[];
  /** Scheduled syncs; null = the built-in schedule. */
  schedule: ScheduleConfig[] | null;
}

const scheduleSchema = z.array(
  z
    .strictObject({
      key: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-"'),
      everyMinutes: z.number().int().min(1).max(44_640).optional(),
      at: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a CST time HH:mm')
        .optional(),
      monthlyOn: z.number().int().min(1).max(31).optional(),
      sync: z
        .strictObject({
          account: z.string().min(1).optional(),
          days: z.number().int().min(0).max(31).optional(),
          month: z.enum(['current', 'previous']).optional(),
        })
        .default({}),
    })
    .refine(
      (entry) =>
        (entry.everyMinutes === undefined) !==
        (entry.at === undefined && entry.monthlyOn === undefined),
      {
        message: 'give everyMinutes, or at and/or monthlyOn',
      },
    ),
);

export const DEFAULT_DATABASE = 'sqlite:./data/simdock.db';
const ACCOUNT_KEYS = new Set(['id', 'type', 'name', 'rateLimit']);

function configError(file: string, key: string, problem: string): SimdockError {
  return new SimdockError('config_error', `${file}: ${key}: ${problem}`, {
    details: { file, key },
  });
}

/**
 * Where the configuration is: `--config PATH`, else `SIMDOCK_CONFIG`, else `./simdock.yaml`
 * when it exists. A path given explicitly must exist.
 */
export function findConfigFile(
  explicit: string | undefined,
  environment: NodeJS.ProcessEnv,
  cwd: string,
): string | null {
  const named = explicit ?? (environment.SIMDOCK_CONFIG || undefined);
  if (named) {
    const path = resolve(cwd, named);
    if (!existsSync(path)) {
      const source = explicit ? '--config' : 'SIMDOCK_CONFIG';
      throw new SimdockError(
        'config_error',
        `${named}: configuration file not found (from ${source})`,
      );
    }
    return path;
  }
  const fallback = resolve(cwd, 'simdock.yaml');
  return existsSync(fallback) ? fallback : null;
}

/** Replaces every `${NAME}` in strings with the environment variable, which must be set. */
function expandEnvironment(
  value: unknown,
  key: string,
  file: string,
  environment: NodeJS.ProcessEnv,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = environment[name];
      if (found === undefined) {
        throw configError(file, key, `environment variable ${name} is not set`);
      }
      return found;
    });
  }
  if (Array.isArray(value)) {
    return value.map((item, index) =>
      expandEnvironment(item, `${key}[${index}]`, file, environment),
    );
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [
        name,
        expandEnvironment(item, `${key}.${name}`, file, environment),
      ]),
    );
  }
  return value;
}

/** Reads and validates the configuration; every problem names the file, the key and what is wrong. */
export function loadConfig(options: {
  explicitPath?: string;
  environment?: NodeJS.ProcessEnv;
  cwd?: string;
  catalog: SupplierCatalog;
}): SimdockConfig {
  const environment = options.environment ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(options.explicitPath, environment, cwd);
  const databaseOverride = environment.DATABASE_URL || undefined;
  if (!file) {
    return {
      file: null,
      database: databaseOverride ?? DEFAULT_DATABASE,
      accounts: [],
      schedule: null,
    };
  }
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    const where = error instanceof YAMLParseError ? ` (line ${error.linePos?.[0]?.line})` : '';
    throw configError(
      file,
      '(file)',
      `not valid YAML${where}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (typeof document !== 'object' || Array.isArray(document) || document === null) {
    throw configError(file, '(file)', 'must be a mapping with the keys database and accounts');
  }
  const raw = document as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key !== 'database' && key !== 'accounts' && key !== 'schedule') {
      throw configError(file, key, 'unknown key (expected database, accounts, schedule)');
    }
  }
  let schedule: ScheduleConfig[] | null = null;
  if (raw.schedule !== undefined) {
    const parsed = scheduleSchema.safeParse(raw.schedule);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = issue.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
        .join('');
      throw configError(file, `schedule${key}`, issue.message);
    }
    schedule = parsed.data;
  }
  const database = expandEnvironment(
    raw.database ?? DEFAULT_DATABASE,
    'database',
    file,
    environment,
  );
  if (typeof database !== 'string' || !/^(sqlite:|postgres(ql)?:\/\/)/.test(database)) {
    throw configError(file, 'database', 'must be "sqlite:PATH" or a postgres:// URL');
  }
  const accountsRaw = raw.accounts ?? [];
  if (!Array.isArray(accountsRaw)) throw configError(file, 'accounts', 'must be a list');
  const seen = new Set<string>();
  const accounts = accountsRaw.map((entry, index) => {
    const key = `accounts[${index}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      throw configError(file, key, 'must be a mapping');
    }
    const expanded = expandEnvironment(entry, key, file, environment) as Record<string, unknown>;
    const { id, type, name, rateLimit } = expanded;
    if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) {
      throw configError(
        file,
        `${key}.id`,
        'required: letters, digits, ".", "_" or "-", at most 64',
      );
    }
    if (seen.has(id)) throw configError(file, `${key}.id`, `duplicate account id "${id}"`);
    seen.add(id);
    if (typeof type !== 'string') {
      throw configError(
        file,
        `${key}.type`,
        `required (one of ${options.catalog.types().join(', ')})`,
      );
    }
    if (!options.catalog.types().includes(type)) {
      throw configError(
        file,
        `${key}.type`,
        `unknown supplier type "${type}" (known: ${options.catalog.types().join(', ')})`,
      );
    }
    if (rateLimit !== undefined && (typeof rateLimit !== 'number' || rateLimit < 0)) {
      throw configError(
        file,
        `${key}.rateLimit`,
        'must be a number of calls per second (0 = unlimited)',
      );
    }
    const settings = Object.fromEntries(
      Object.entries(expanded).filter(([name]) => !ACCOUNT_KEYS.has(name)),
    );
    try {
      options.catalog.get(type).parseSettings(settings);
    } catch (error) {
      const message = SimdockError.isInstance(error) ? error.message : String(error);
      throw configError(file, `${key} (${id})`, message);
    }
    return {
      id,
      type,
      name: typeof name === 'string' ? name : null,
      rateLimit: typeof rateLimit === 'number' ? rateLimit : null,
      settings,
    };
  });
  return { file, database: databaseOverride ?? (database as string), accounts, schedule };
}
