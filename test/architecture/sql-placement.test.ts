import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What writes SQL: the query builder's statements, `sql` templates and helpers, and the Kysely
 * instance itself (`store.db`, `….db.…`), through which
 * any of them can be reached.
 */
const QUERY_BUILDER: { name: string; pattern: RegExp }[] = [
  { name: '.selectFrom(', pattern: /\.selectFrom\(/ },
  { name: '.insertInto(', pattern: /\.insertInto\(/ },
  { name: '.updateTable(', pattern: /\.updateTable\(/ },
  { name: '.deleteFrom(', pattern: /\.deleteFrom\(/ },
  { name: '.selectNoFrom(', pattern: /\.selectNoFrom\(/ },
  { name: 'sql`', pattern: /\bsql`/ },
  { name: 'sql<', pattern: /\bsql</ },
  { name: 'sql.…(', pattern: /\bsql\.(raw|ref|lit|join|id|table|val)\(/ },
  { name: 'store.db', pattern: /\bstore\.db\b/ },
  { name: '.db.', pattern: /\.db\.|\.db$/ },
];

interface Finding {
  file: string;
  line: number;
  what: string;
  text: string;
}

/** The query-builder uses in one file's text (comment lines left out). */
function scanForQueries(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  text.split('\n').forEach((line, index) => {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
    for (const { name, pattern } of QUERY_BUILDER) {
      if (pattern.test(line)) {
        findings.push({ file, line: index + 1, what: name, text: code });
        break;
      }
    }
  });
  return findings;
}

/** Production TypeScript under `directory`, src/store/ and tests and test support left out. */
function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    const name = relative(ROOT, path).split('\\').join('/');
    if (entry.isDirectory()) return name === 'src/store' ? [] : sourceFiles(path);
    if (!/\.tsx?$/.test(entry.name) || /\.test\.tsx?$|\.test-support\.tsx?$/.test(entry.name)) {
      return [];
    }
    return [name];
  });
}

describe('SQL lives in src/store/', () => {
  const findings = sourceFiles(join(ROOT, 'src')).flatMap((file) =>
    scanForQueries(file, readFileSync(join(ROOT, file), 'utf8')),
  );

  it('no file outside src/store/ builds a query', () => {
    const found = findings.map(
      (finding) => `${finding.file}:${finding.line} ${finding.what}  ${finding.text}`,
    );
    expect(found, 'move these queries into a repository of src/store/').toEqual([]);
  });

  it('finds the query builder in a sample, line by line', () => {
    const sample = [
      "import { sql } from 'kysely';",
      '// store.db in a comment is fine',
      'const rows = await context.store.db',
      "  .selectFrom('cards')",
      "  .where(sql`lower(iccid)`, '=', value)",
      '  .execute();',
      "await db.insertInto('events').values(row).execute();",
      "await trx.updateTable('cards').set({ status }).execute();",
      "await trx.deleteFrom('sessions').execute();",
      'const count = sql<number>`count(*)`;',
      "const handle = store.db.selectNoFrom(sql.lit(1).as('one'));",
      'const cards = await context.store.cards.list(query);',
    ].join('\n');
    const found = scanForQueries('sample.ts', sample);
    expect(found.map((finding) => [finding.line, finding.what])).toEqual([
      [3, 'store.db'],
      [4, '.selectFrom('],
      [5, 'sql`'],
      [7, '.insertInto('],
      [8, '.updateTable('],
      [9, '.deleteFrom('],
      [10, 'sql<'],
      [11, '.selectNoFrom('],
    ]);
    expect(scanForQueries('clean.ts', 'await context.store.cards.get(id);')).toEqual([]);
  });
});
