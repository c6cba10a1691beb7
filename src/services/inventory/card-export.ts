import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ScopedCardQuery, ScopedCards, ScopedCardView } from '../access/access-cards.js';

/** The formats an export is written in. */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The columns of an export, in order; the header row names them so. */
export const EXPORT_COLUMNS = [
  'id',
  'iccid',
  'msisdn',
  'imsi',
  'imei',
  'account',
  'supplier',
  'status',
  'tenant',
  'tags',
  'usage_bytes',
] as const;

/** Rows read per keyset page while streaming. */
const PAGE = 1000;

function cells(card: ScopedCardView): (string | number | null)[] {
  return [
    card.id,
    card.iccid,
    card.msisdn,
    card.imsi,
    card.imei,
    card.account,
    card.supplier,
    card.status,
    card.tenant,
    card.tags.join(' '),
    card.usageThisMonth,
  ];
}

/**
 * Every card matching the filters of `query` (sort and order kept, no page limit), page after
 * page through the list's keyset cursor, so memory holds one page whatever the total.
 */
export async function* matchingCards(
  cards: ScopedCards,
  query: Omit<ScopedCardQuery, 'limit' | 'cursor'>,
): AsyncGenerator<ScopedCardView[]> {
  let cursor: string | undefined;
  do {
    const page = await cards.list({
      ...query,
      limit: PAGE,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    if (page.cards.length > 0) yield page.cards;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/**
 * One CSV cell: quoted, quotes doubled; text a spreadsheet would read as a formula (leading
 * `= + - @`) is prefixed with `'`.
 */
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

/** The cards as a CSV stream: a header row, then one line a card (UTF-8 with a BOM for Excel). */
export function cardsCsv(rows: AsyncIterable<ScopedCardView[]>): ReadableStream<Uint8Array> {
  async function* lines() {
    yield Buffer.from(`\uFEFF${EXPORT_COLUMNS.join(',')}\r\n`);
    for await (const page of rows) {
      yield Buffer.from(page.map((card) => `${cells(card).map(csvCell).join(',')}\r\n`).join(''));
    }
  }
  return Readable.toWeb(Readable.from(lines())) as ReadableStream<Uint8Array>;
}

/** The cards as an .xlsx stream, written row by row by ExcelJS's streaming workbook writer. */
export function cardsXlsx(rows: AsyncIterable<ScopedCardView[]>): ReadableStream<Uint8Array> {
  const output = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: output,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet('cards');
  void (async () => {
    try {
      sheet.addRow([...EXPORT_COLUMNS]).commit();
      for await (const page of rows) {
        for (const card of page) sheet.addRow(cells(card)).commit();
        // Let the reader drain what the page wrote before the next page is read.
        if (output.writableNeedDrain) await new Promise((resolve) => output.once('drain', resolve));
      }
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      output.destroy(error as Error);
    }
  })();
  return Readable.toWeb(output) as ReadableStream<Uint8Array>;
}
