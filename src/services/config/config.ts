import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { SimdockError } from '../../domain/index.js';
import type { SupplierCatalog } from '../../suppliers/spec/index.js';
import { freshnessProblems } from '../sync/freshness-targets.js';

/** One supplier account as configured: its id, type, and the supplier's own settings. */
export interface AccountConfig {
  id: string;
  type: string;
  name: string | null;
  /** Calls per second for this account (token bucket); 0 = unlimited. */
  rateLimit: number | null;
  /** The supplier settings (credentials, base URL, …), validated by the supplier definition. */
  settings: Record<string, unknown>;
  /**
   * Overrides the supplier's billing cycle start day (1–31) for this account's cards, e.g. when
   * a contract bills from another day than the supplier's default. Absent: the supplier's.
   */
  billingCycleStartDay?: number;
  /** How sync spends this account's calls (`sync:` under the account); absent = defaults. */
  sync?: AccountSyncConfig;
}

/** `sync:` of an account in simdock.yaml. */
export interface AccountSyncConfig {
  /** Days a usage period stays open to revision (default: the supplier's, else 2). */
  revisionDays?: number;
  /** Share of the day's call capacity the schedule may plan (default 0.8). */
  budgetShare?: number;
  /**
   * Freshness targets per need as written (`{status: '1h', 'usage.monthly': '6h'}`): how old a
   * card's last read may be. Absent needs: the file's top-level `freshness:`, else the defaults.
   */
  freshness?: Partial<Record<'status' | 'usage.monthly', string>>;
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

/**
 * A `freshness:` mapping (need → duration such as 30m, 1h, 6h, 1d); each problem names the need.
 * YAML numbers are refused too: `1` is not a duration.
 */
const freshnessSchema = z.unknown().superRefine((value, context) => {
  for (const { key, problem } of freshnessProblems(value)) {
    context.addIssue({ code: 'custom', path: key === null ? [] : [key], message: problem });
  }
}) as z.ZodType<Partial<Record<'status' | 'usage.monthly', string>>>;

export const DEFAULT_DATABASE = 'sqlite:./data/simdock.db';

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

type Path = (string | number)[];

/**
 * Replaces every `${NAME}` in strings with the environment variable; an unset one is an issue at
 * the string's path.
 */
function expandEnvironment(
  value: unknown,
  path: Path,
  environment: NodeJS.ProcessEnv,
  context: z.RefinementCtx,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
      const found = environment[name];
      if (found !== undefined) return found;
      context.addIssue({
        code: 'custom',
        path,
        message: `environment variable ${name} is not set`,
      });
      return match;
    });
  }
  if (Array.isArray(value)) {
    return value.map((item, index) =>
      expandEnvironment(item, [...path, index], environment, context),
    );
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [
        name,
        expandEnvironment(item, [...path, name], environment, context),
      ]),
    );
  }
  return value;
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The configuration file's shape, for one environment and the catalog's supplier types. */
function fileSchema(environment: NodeJS.ProcessEnv, catalog: SupplierCatalog) {
  const types = catalog.types();
  const expanded = <T extends z.ZodType>(schema: T) =>
    z.preprocess((value, context) => expandEnvironment(value, [], environment, context), schema);
  const ids = new Set<string>();
  const account = z.preprocess(
    // Only a mapping is expanded: anything else is refused as it is written.
    (value, context) =>
      isMapping(value) ? expandEnvironment(value, [], environment, context) : value,
    z
      .looseObject(
        {
          id: z
            .string({ error: ACCOUNT_ID_PROBLEM })
            .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, ACCOUNT_ID_PROBLEM)
            // Entries are read in order, so the second of two equal ids is the one named.
            .refine(
              (id) => {
                if (ids.has(id)) return false;
                ids.add(id);
                return true;
              },
              { error: (issue) => `duplicate account id "${issue.input}"` },
            ),
          type: z
            .string({ error: `required (one of ${types.join(', ')})` })
            .refine((type) => types.includes(type), {
              error: (issue) =>
                `unknown supplier type "${issue.input}" (known: ${types.join(', ')})`,
            }),
          name: z.string().nullish().catch(null),
          rateLimit: z.number({ error: RATE_LIMIT_PROBLEM }).min(0, RATE_LIMIT_PROBLEM).optional(),
          billingCycleStartDay: z
            .number({ error: CYCLE_DAY_PROBLEM })
            .int(CYCLE_DAY_PROBLEM)
            .min(1, CYCLE_DAY_PROBLEM)
            .max(31, CYCLE_DAY_PROBLEM)
            .optional(),
          sync: z
            .strictObject(
              {
                revisionDays: z
                  .number({ error: 'must be a whole number of days (0 or more)' })
                  .int('must be a whole number of days (0 or more)')
                  .min(0, 'must be a whole number of days (0 or more)')
                  .optional(),
                budgetShare: z
                  .number({ error: 'must be a share between 0 and 1 (e.g. 0.8)' })
                  .gt(0, 'must be a share between 0 and 1 (e.g. 0.8)')
                  .max(1, 'must be a share between 0 and 1 (e.g. 0.8)')
                  .optional(),
                freshness: freshnessSchema.optional(),
              },
              {
                error: (issue) =>
                  issue.code === 'unrecognized_keys'
                    ? 'unknown key (expected revisionDays, budgetShare, freshness)'
                    : 'must be a mapping (revisionDays, budgetShare, freshness)',
              },
            )
            .optional(),
        },
        { error: 'must be a mapping' },
      )
      // The other keys are the supplier's own settings, which its definition validates.
      .transform(
        (
          { id, type, name, rateLimit, billingCycleStartDay, sync, ...settings },
          context,
        ): AccountConfig => {
          try {
            catalog.get(type).parseSettings(settings);
          } catch (error) {
            const message = SimdockError.isInstance(error) ? error.message : String(error);
            context.addIssue({ code: 'custom', message, params: { account: id } });
          }
          return {
            id,
            type,
            name: name ?? null,
            rateLimit: rateLimit ?? null,
            settings,
            ...(billingCycleStartDay !== undefined ? { billingCycleStartDay } : {}),
            ...(sync ? { sync } : {}),
          };
        },
      ),
  );
  return z.strictObject(
    {
      schedule: scheduleSchema.optional(),
      freshness: freshnessSchema.optional(),
      database: z.preprocess(
        (value) => value ?? DEFAULT_DATABASE,
        expanded(
          z
            .string({ error: DATABASE_PROBLEM })
            .regex(/^(sqlite:|postgres(ql)?:\/\/)/, DATABASE_PROBLEM),
        ),
      ),
      accounts: z.preprocess((value) => value ?? [], z.array(account, { error: 'must be a list' })),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? 'unknown key (expected database, accounts, schedule, freshness)'
          : 'must be a mapping with the keys database and accounts',
    },
  );
}

const ACCOUNT_ID_PROBLEM = 'required: letters, digits, ".", "_" or "-", at most 64';
const RATE_LIMIT_PROBLEM = 'must be a number of calls per second (0 = unlimited)';
const CYCLE_DAY_PROBLEM = 'must be the day of the month the billing cycle starts (1–31)';
const DATABASE_PROBLEM = 'must be "sqlite:PATH" or a postgres:// URL';

/** `accounts[0].appid` for the path `['accounts', 0, 'appid']`; `(file)` for the whole file. */
function keyOf(path: PropertyKey[]): string {
  if (path.length === 0) return '(file)';
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
    )
    .join('');
}

/** The first problem of a failed parse (an unknown top-level key first), as one config error. */
function firstProblem(file: string, error: z.ZodError): SimdockError {
  const issue =
    error.issues.find((item) => item.code === 'unrecognized_keys' && item.path.length === 0) ??
    error.issues[0]!;
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
    return configError(file, issue.keys[0]!, issue.message);
  }
  // A supplier's settings problem names the account: `accounts[0] (cmcc-east)`.
  const account = issue.code === 'custom' ? issue.params?.account : undefined;
  return configError(file, keyOf(issue.path) + (account ? ` (${account})` : ''), issue.message);
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
  const parsed = fileSchema(environment, options.catalog).safeParse(document);
  if (!parsed.success) throw firstProblem(file, parsed.error);
  // The file's `freshness:` is every account's default; an account's own targets win per need.
  const defaults = parsed.data.freshness;
  const accounts = defaults
    ? parsed.data.accounts.map((account) => ({
        ...account,
        sync: {
          ...account.sync,
          freshness: { ...defaults, ...account.sync?.freshness },
        },
      }))
    : parsed.data.accounts;
  return {
    file,
    database: databaseOverride ?? parsed.data.database,
    accounts,
    schedule: parsed.data.schedule ?? null,
  };
}
