import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
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
  'imprecise_number',
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
  const problems: ImportProblem[] = [];
  return parseImportRecords(readRecords(content, problems), problems);
}

/**
 * An Excel workbook's first worksheet as import records, one per sheet row (row numbers are the
 * lines of the report, as the spreadsheet shows them), each cell as text. A number too long for
 * a spreadsheet to hold exactly (a 20-digit ICCID typed into a cell formatted as a number) is
 * reported: its digits are already lost.
 */
export async function parseImportWorkbook(
  file: Uint8Array,
): Promise<{ rows: ImportRow[]; problems: ImportProblem[] }> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as unknown as ArrayBuffer);
  } catch (error) {
    throw new SimdockError('invalid_argument', `not an Excel (.xlsx) file: ${errorText(error)}`);
  }
  const sheet = workbook.worksheets[0];
  const problems: ImportProblem[] = [];
  if (!sheet) {
    throw new SimdockError('invalid_argument', 'the workbook has no worksheet');
  }
  const records: (string[] | null)[] = [];
  for (let number = 1; number <= sheet.rowCount; number += 1) {
    const row = sheet.getRow(number);
    const cells: string[] = [];
    let broken = false;
    for (let column = 1; column <= Math.max(row.cellCount, 1); column += 1) {
      const value = row.getCell(column).value;
      if (typeof value === 'number' && !Number.isSafeInteger(value)) {
        problems.push({
          line: number,
          value: String(value),
          reason: 'a number too long for a spreadsheet cell: format the column as text',
          code: 'imprecise_number',
          params: {},
        });
        broken = true;
        break;
      }
      cells.push(cellText(value));
    }
    records.push(broken ? null : cells);
  }
  return parseImportRecords(records, problems);
}

/** A cell's value as text: rich text and hyperlinks by their text, formulas by their result. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    if (value instanceof Date) return value.toISOString();
    if ('richText' in value)
      return value.richText
        .map((part) => part.text)
        .join('')
        .trim();
    if ('text' in value) return String(value.text).trim();
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    return '';
  }
  return String(value).trim();
}

/** The rows and problems of an import file's records (null: a line already reported). */
function parseImportRecords(
  records: (string[] | null)[],
  problems: ImportProblem[],
): { rows: ImportRow[]; problems: ImportProblem[] } {
  const rows: ImportRow[] = [];
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
  file: string | { xlsx: Uint8Array },
  actor = 'cli',
): Promise<ImportSummary> {
  const account = await context.store.accounts.get(accountId);
  if (!account) {
    throw new SimdockError('not_found', `unknown account "${accountId}"`, {
      details: { account: accountId },
    });
  }
  const { rows, problems } =
    typeof file === 'string' ? parseImportFile(file) : await parseImportWorkbook(file.xlsx);
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

/** The columns of the import template, in its header row. */
export const TEMPLATE_COLUMNS = ['iccid', 'msisdn', 'imsi', 'imei'] as const;

/**
 * The import template: a header row naming the identifier columns. In .xlsx the columns are
 * formatted as text, so a 20-digit ICCID typed or pasted into them keeps every digit.
 */
export async function importTemplate(format: 'csv' | 'xlsx'): Promise<Uint8Array> {
  if (format === 'csv') return new TextEncoder().encode(`${TEMPLATE_COLUMNS.join(',')}\r\n`);
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('cards');
  sheet.columns = TEMPLATE_COLUMNS.map((key) => ({
    header: key,
    key,
    width: key === 'iccid' ? 24 : 18,
    style: { numFmt: '@' },
  }));
  sheet.getRow(1).font = { bold: true };
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
