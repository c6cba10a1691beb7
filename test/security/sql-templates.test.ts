// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the allowlists quote source text, `${…}` included.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE = join(ROOT, 'src');

/** Every production TypeScript file under src/ (tests and test support excluded). */
function sourceFiles(directory = SOURCE): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    if (!entry.name.endsWith('.ts') || /\.test\.ts$|test-support\.ts$/.test(entry.name)) return [];
    return [path];
  });
}

/**
 * The only places where text reaches SQL without being a bound parameter, each a constant or
 * picked from a closed set. A new one must be added here, with its reason, in review.
 */
const RAW_SQL_ALLOWED: Record<string, string[]> = {
  // The keyset comparison of a sort order: '>' or '<', never input.
  'src/store/repositories/scoped-cards-repository.ts': [
    "sql.raw('>')",
    "sql.raw('<')",
    "sql.raw(order === 'asc' ? '>' : '<')",
  ],
  // The cast type of a column from CARD_COLUMN_TYPES (a constant table of the code).
  'src/store/cards-bulk.ts': ['sql.raw(typeOf(name))'],
  // The key and sum columns of a kept figure's table, from the constant FIGURE_TABLES of the file.
  'src/store/fleet-stats-repository.ts': [
    "sql.raw([...keys, ...sums].join(', '))",
    "sql.raw(keys.join(', '))",
  ],
  // Trigger and function DDL of the kept figures: table, trigger and column names from the
  // migration's own constant lists; no input reaches it (see DDL_BUILT_FROM_CONSTANTS).
  'src/store/migrations/0015-fleet-stats.ts': [
    'sql.raw(`DELETE FROM ${table}`)',
    'sql.raw(`DROP FUNCTION IF EXISTS ${name}()`)',
    'sql.raw(`DROP FUNCTION IF EXISTS ${name}_${suffix}()`)',
    'sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${trigger.table}`)',
    'sql.raw(`DROP TRIGGER IF EXISTS ${name}_${suffix} ON ${trigger.table}`)',
    'sql.raw(`DROP TRIGGER IF EXISTS ${name}_${suffix}`)',
    'sql.raw(`case when quota_bytes > 0 then ${cycleBytes} * 1000 / quota_bytes end`)',
    'sql.raw(cycleBytes)',
  ],
  // Migration 0022 rewrites the same functions (PostgreSQL) and the SQLite triggers' WHEN
  // clauses: trigger names and conditions from the migration's own constant lists.
  'src/store/migrations/0022-fleet-stats-statements.ts': [
    'sql.raw(`${head} WHEN ${condition} BEGIN${rest}`)',
    'sql.raw(`DROP TRIGGER ${name}`)',
  ],
  // Migration 0027 replaces two tables' PostgreSQL row triggers with statement triggers: table
  // and trigger names from the migration's own constant list.
  'src/store/migrations/0027-assignment-statement-triggers.ts': [
    'sql.raw(`DROP FUNCTION IF EXISTS stats_${table}()`)',
    'sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${table}`)',
    'sql.raw(`DROP TRIGGER IF EXISTS stats_${table} ON ${table}`)',
  ],
  // Migration 0029 keeps plan cycles: trigger, function and table names from the migration's
  // own constant list, statements assembled from its constant fragments (no input; the plan id
  // of the PostgreSQL plans trigger is bound with USING).
  'src/store/migrations/0029-plan-cycle-usage.ts': [
    'sql.raw(`DROP FUNCTION IF EXISTS ${name}()`)',
    'sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${table}`)',
    'sql.raw(`DROP TRIGGER IF EXISTS ${name}`)',
    'sql.raw(part)',
    'sql.raw(statement)',
  ],
  // Migration 0031 notes written cycle rows for the usage order: trigger and function names from
  // its own constant list of events, the table and the copied columns constants.
  'src/store/migrations/0031-usage-order.ts': [
    'sql.raw(COPIED)',
    'sql.raw(`DROP FUNCTION IF EXISTS ${name}()`)',
    'sql.raw(`DROP TRIGGER IF EXISTS ${name} ON card_cycle_usage`)',
    'sql.raw(`DROP TRIGGER IF EXISTS ${name}`)',
  ],
};

/**
 * Files whose SQL text is assembled from the file's own constant identifiers (trigger bodies a
 * migration writes, a table name from a constant list), so the string-building check lets them
 * be; each is also in RAW_SQL_ALLOWED with the reason.
 */
const DDL_BUILT_FROM_CONSTANTS = new Set([
  'src/store/migrations/0015-fleet-stats.ts',
  'src/store/migrations/0022-fleet-stats-statements.ts',
  'src/store/migrations/0027-assignment-statement-triggers.ts',
  'src/store/migrations/0029-plan-cycle-usage.ts',
  'src/store/migrations/0031-usage-order.ts',
  'src/store/fleet-stats-repository.ts',
  // Usage upserts and the figures they keep on SQLite, sent through `runShaped` (one statement
  // text per batch shape): the table and period column are 'usage_daily'/'date' or
  // 'usage_monthly'/'month', every value a bound placeholder.
  'src/store/usage-repository.ts',
  'src/store/usage-stats-upkeep.ts',
]);

/** Driver-level SQL text (outside the query builder): constants with `$n` parameters only. */
const DRIVER_SQL_ALLOWED: Record<string, RegExp[]> = {
  // The leader lock's session: pg_try_advisory_lock with the name bound as $1, and a ping.
  'src/store/advisory-locks.ts': [
    /client\.query<\{ locked: boolean \}>\(\s*`select pg_try_advisory_lock\(/,
    /client\.query\('select 1'\)/,
  ],
  // SQLite pragmas of the connection: constants. The statement cache prepares the text Kysely
  // compiled (parameters bound separately), unchanged.
  'src/store/store-connection.ts': [
    /sqlite\.pragma\('[a-z_]+ = [-A-Z0-9]+'\)/,
    /database\.prepare\(text\)/,
  ],
};

/** Each `sql` tagged template of a file with its interpolated expressions. */
function sqlTemplates(text: string): { line: number; expressions: string[] }[] {
  const found: { line: number; expressions: string[] }[] = [];
  const tag = /\bsql(?:<[^`>]*(?:<[^`>]*>)?[^`>]*>)?`/g;
  for (let match = tag.exec(text); match; match = tag.exec(text)) {
    const expressions: string[] = [];
    let index = match.index + match[0].length;
    // Walk the template to its closing backtick, collecting ${…} (nested braces and templates).
    while (index < text.length && text[index] !== '`') {
      if (text[index] === '\\') index += 2;
      else if (text.startsWith('${', index)) {
        let depth = 1;
        const start = index + 2;
        index = start;
        while (depth > 0 && index < text.length) {
          if (text[index] === '{') depth += 1;
          else if (text[index] === '}') depth -= 1;
          else if (text[index] === '`') index = skipTemplate(text, index);
          index += 1;
        }
        expressions.push(text.slice(start, index - 1).trim());
      } else index += 1;
    }
    found.push({ line: text.slice(0, match.index).split('\n').length, expressions });
    tag.lastIndex = index + 1;
  }
  return found;
}

/** The index of the backtick closing the template opened at `open`. */
function skipTemplate(text: string, open: number): number {
  let index = open + 1;
  while (index < text.length && text[index] !== '`') {
    if (text[index] === '\\') index += 1;
    else if (text.startsWith('${', index)) {
      let depth = 1;
      index += 2;
      while (depth > 0 && index < text.length) {
        if (text[index] === '{') depth += 1;
        else if (text[index] === '}') depth -= 1;
        else if (text[index] === '`') index = skipTemplate(text, index);
        if (depth > 0) index += 1;
      }
    }
    index += 1;
  }
  return index;
}

/**
 * SQL is built only through the query builder: `sql` templates bind every interpolated value as a
 * parameter, and identifiers go through `sql.ref`/`sql.id`/`sql.table` (quoted). Raw text
 * (`sql.raw`, `sql.lit`, driver-level queries, string-built SQL) appears only in the listed
 * places, each a constant.
 */
describe('SQL is built only through the query builder', () => {
  const files = sourceFiles().map((path) => ({
    path: relative(ROOT, path).split('\\').join('/'),
    text: readFileSync(path, 'utf8'),
  }));

  it('finds the sql templates of src/', () => {
    const templates = files.flatMap((file) => sqlTemplates(file.text));
    expect(templates.length).toBeGreaterThan(20);
  });

  it('uses sql.raw and sql.lit only in the listed places, with the listed arguments', () => {
    const found: Record<string, string[]> = {};
    for (const file of files) {
      const calls = file.text.match(/sql\.(?:raw|lit)\([^()]*(?:\([^()]*\))?[^()]*\)/g) ?? [];
      if (calls.length > 0) found[file.path] = [...new Set(calls)].sort();
    }
    const allowed = Object.fromEntries(
      Object.entries(RAW_SQL_ALLOWED).map(([path, calls]) => [path, [...calls].sort()]),
    );
    expect(found).toEqual(allowed);
  });

  it('interpolates into sql templates only values, identifiers, fragments and joins', () => {
    const offenders: string[] = [];
    for (const file of files) {
      for (const template of sqlTemplates(file.text)) {
        for (const expression of template.expressions) {
          // A value built by string concatenation or a template literal inside sql.raw is text
          // becoming SQL; anything else interpolated is bound or is itself a builder fragment.
          if (
            /^sql\.(raw|lit)\(\s*[`'"].*\$\{/.test(expression) ||
            /^sql\.raw\(.*\+/.test(expression)
          ) {
            offenders.push(`${file.path}:${template.line}: ${expression}`);
          }
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('sends driver-level SQL only in the listed places', () => {
    const found: string[] = [];
    const used = new Set<RegExp>();
    for (const file of files) {
      const calls =
        file.text.match(
          /\b(?:client|pool|sqlite|database|db)\.(?:query|exec|prepare|pragma)\b[^;]*/g,
        ) ?? [];
      for (const call of calls) {
        const pattern = (DRIVER_SQL_ALLOWED[file.path] ?? []).find((allowed) => allowed.test(call));
        if (pattern) used.add(pattern);
        else found.push(`${file.path}: ${call.slice(0, 120)}`);
      }
    }
    expect(found).toEqual([]);
    // The list stays exact: every listed place is still there.
    expect(used.size).toBe(Object.values(DRIVER_SQL_ALLOWED).flat().length);
  });

  it('builds no SQL by string concatenation or template literals outside the builder', () => {
    const offenders: string[] = [];
    const keyword =
      /(['`"])\s*(select|insert into|update|delete from|create table|alter table|drop)\s[^'`"]*\$\{/i;
    for (const file of files) {
      if (DDL_BUILT_FROM_CONSTANTS.has(file.path)) continue;
      for (const [index, line] of file.text.split('\n').entries()) {
        if (/\bsql(<[^>]*>)?`/.test(line) || /^\s*(\/\/|\*)/.test(line)) continue;
        if (keyword.test(line)) offenders.push(`${file.path}:${index + 1}: ${line.trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
