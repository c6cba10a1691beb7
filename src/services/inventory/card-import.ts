import { parse as parseCsv } from 'csv-parse/sync';
import {
  classifyCardIdentifier,
  type IdentifierKind,
  parseIdentifier,
  SimdockError,
} from '../../domain/index.js';
import type { ServiceContext } from '../context.js';

/** A line of an import file that was not imported, and why. */
export interface ImportProblem {
  /** 1-based line number in the file. */
  line: number;
  /** The offending value (or the whole line). */
  value: string;
  /** Why, in English. */
  reason: string;
  /** Why, as a code a client renders in its language with `params`. */
  code: ImportProblemCode;
  params: Record<string, string | number>;
}

/** Why a line was not imported. */
export const IMPORT_PROBLEM_CODES = [
  'several_values',
  'invalid_identifier',
  'no_identifier',
  'unreadable_csv',
  'duplicate',
] as const;
export type ImportProblemCode = (typeof IMPORT_PROBLEM_CODES)[number];

export interface ImportRow {
  line: number;
  iccid?: string;
  msisdn?: string;
  imsi?: string;
  imei?: string;
}

export interface ImportSummary {
  account: string;
  /** Lines that held a card. */
  lines: number;
  inserted: number;
  existing: number;
  problems: ImportProblem[];
}

/** Header names accepted for each identifier column (case-insensitive). */
const HEADER_ALIASES: Record<string, IdentifierKind> = {
  iccid: 'iccid',
  iccid号: 'iccid',
  msisdn: 'msisdn',
  msisdn号: 'msisdn',
  卡号: 'msisdn',
  phone: 'msisdn',
  imsi: 'imsi',
  imei: 'imei',
};

/**
 * Parses an import file: CSV with a header naming identifier columns (iccid, msisdn, imsi,
 * imei; other columns are ignored), or one identifier per line (its kind guessed from its
 * shape). Bad lines are reported with their number, value and reason; good lines are kept.
 */
export function parseImportFile(text: string): { rows: ImportRow[]; problems: ImportProblem[] } {
  const content = text.replace(/^\uFEFF/, '');
  const rows: ImportRow[] = [];
  const problems: ImportProblem[] = [];
  const records = readRecords(content, problems);
  const first = records[0] ?? [];
  const columns = first.map((name) => HEADER_ALIASES[name.toLowerCase()]);
  const hasHeader = columns.some((kind) => kind !== undefined);
  if (
    !hasHeader &&
    first.length > 1 &&
    first.some((cell) => /[a-z]/i.test(cell) && !/^[0-9a-f]+$/i.test(cell))
  ) {
    throw new SimdockError(
      'invalid_argument',
      `line 1: the header names no identifier column (expected one of iccid, msisdn, imsi, imei)`,
    );
  }
  records.forEach((record, index) => {
    const line = index + 1;
    if (record === null || (hasHeader && index === 0)) return;
    if (record.every((cell) => cell === '')) return;
    if (!hasHeader) {
      if (record.length > 1) {
        problems.push({
          line,
          value: record.join(','),
          reason: 'expected one identifier per line',
          code: 'several_values',
          params: {},
        });
        return;
      }
      const result = classifyCardIdentifier(record[0]!);
      if (!result.ok) {
        problems.push({
          line,
          value: record[0]!,
          reason: result.error.message,
          code: 'invalid_identifier',
          params: {},
        });
        return;
      }
      rows.push({ line, [result.kind]: result.value });
      return;
    }
    const row: ImportRow = { line };
    let problem: ImportProblem | null = null;
    columns.forEach((kind, column) => {
      const cell = record[column] ?? '';
      if (!kind || cell === '' || problem) return;
      const result = parseIdentifier(kind, cell);
      if (result.ok) row[kind] = result.value;
      else {
        problem = {
          line,
          value: cell,
          reason: result.error.message,
          code: 'invalid_identifier',
          params: { kind },
        };
      }
    });
    if (problem) problems.push(problem);
    else if (!row.iccid && !row.msisdn && !row.imsi) {
      problems.push({
        line,
        value: record.join(','),
        reason: 'no ICCID, MSISDN or IMSI on this line',
        code: 'no_identifier',
        params: {},
      });
    } else rows.push(row);
  });
  problems.sort((left, right) => left.line - right.line);
  return { rows, problems };
}

/**
 * The records of an import file, one per physical line, so every problem names the line a
 * spreadsheet shows (a quoted field never spans lines in an identifier file). A line whose
 * quoting is broken is reported and becomes null; the other lines still count.
 */
function readRecords(content: string, problems: ImportProblem[]): (string[] | null)[] {
  return content.split(/\r\n|\n|\r/).map((text, index) => {
    if (!text.includes('"')) return text.split(',').map((cell) => cell.trim());
    try {
      const [record] = parseCsv(text, { relax_column_count: true, trim: true }) as string[][];
      return record ?? [''];
    } catch (error) {
      problems.push({
        line: index + 1,
        value: text,
        reason: `unreadable CSV: ${errorText(error)}`,
        code: 'unreadable_csv',
        params: {},
      });
      return null;
    }
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Imports cards into an account: idempotent, reporting bad lines and importing the rest. */
export async function importCards(
  context: ServiceContext,
  accountId: string,
  text: string,
  actor = 'cli',
): Promise<ImportSummary> {
  const account = await context.store.accounts.get(accountId);
  if (!account) {
    throw new SimdockError('not_found', `unknown account "${accountId}"`, {
      details: { account: accountId },
    });
  }
  const { rows, problems } = parseImportFile(text);
  // The same card twice in one file is reported once, not imported twice.
  const seen = new Map<string, number>();
  const unique: ImportRow[] = [];
  for (const row of rows) {
    const key = row.iccid ?? row.msisdn ?? row.imsi!;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({
        line: row.line,
        value: key,
        reason: `duplicate of line ${earlier}`,
        code: 'duplicate',
        params: { line: earlier },
      });
      continue;
    }
    seen.set(key, row.line);
    unique.push(row);
  }
  const result = await context.store.cards.importCards(
    accountId,
    account.type,
    unique.map(({ line: _line, ...identifiers }) => identifiers),
  );
  problems.sort((left, right) => left.line - right.line);
  await context.store.audit.record({
    actor,
    action: 'cards.import',
    targetType: 'account',
    targetId: accountId,
    account: accountId,
    outcome: 'succeeded',
    details: {
      lines: rows.length,
      inserted: result.inserted,
      existing: result.existing,
      problems: problems.length,
    },
  });
  return { account: accountId, lines: rows.length, ...result, problems };
}
