import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate';
import { SupplierError } from '../spec/index.js';

/**
 * The card-list file (quectel-connectivity-api-v3.15.md §2.2.3, §2.2.4): a zip holding
 * `card_list.txt`. The document does not describe the text's columns; simdock reads the first
 * line as the header (wire names such as `iccid`, `msisdn`, or the portal's Chinese labels) and
 * splits on tabs, or on commas when the header has no tab. This layout is a guess.
 */
export const CARD_LIST_FILE_NAME = 'card_list.txt';

/** One row of the card-list file: header name → value, plus identities when recognisable. */
export interface QuectelCardListRow {
  fields: Record<string, string>;
  iccid: string | null;
  msisdn: string | null;
  imsi: string | null;
  status: string | null;
}

/** Header labels that name the same thing, lower-cased. */
const HEADER_ALIASES: Record<'iccid' | 'msisdn' | 'imsi' | 'status', string[]> = {
  iccid: ['iccid'],
  msisdn: ['msisdn', '卡号', '号码', 'msisdn号码'],
  imsi: ['imsi'],
  status: ['status', '状态', '卡状态'],
};

function rowOf(header: string[], cells: string[]): QuectelCardListRow {
  const fields: Record<string, string> = {};
  header.forEach((name, index) => {
    fields[name] = (cells[index] ?? '').trim();
  });
  const pick = (kind: keyof typeof HEADER_ALIASES) => {
    const name = header.find((candidate) =>
      HEADER_ALIASES[kind].includes(candidate.trim().toLowerCase()),
    );
    const value = name === undefined ? '' : (fields[name] ?? '');
    return value === '' ? null : value;
  };
  return {
    fields,
    iccid: pick('iccid'),
    msisdn: pick('msisdn'),
    imsi: pick('imsi'),
    status: pick('status'),
  };
}

/**
 * Streams the rows of `card_list.txt` out of a zip body with fflate's streaming `Unzip`, so a
 * file of a whole fleet is never held in memory at once.
 */
export async function* readCardListRows(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
): AsyncGenerator<QuectelCardListRow> {
  const decoder = new TextDecoder('utf-8');
  const lines: string[] = [];
  let pending = '';
  let found = false;
  let ended = false;
  let failure: unknown = null;
  const unzip = new Unzip((file) => {
    if (file.name.split('/').pop() !== CARD_LIST_FILE_NAME) return;
    found = true;
    file.ondata = (error, data, final) => {
      if (error) {
        failure = error;
        return;
      }
      pending += decoder.decode(data, { stream: !final });
      const parts = pending.split(/\r?\n/);
      pending = parts.pop() ?? '';
      lines.push(...parts);
      if (final) {
        if (pending !== '') lines.push(pending);
        pending = '';
        ended = true;
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);

  let header: string[] | null = null;
  let delimiter = '\t';
  const drain = function* (): Generator<QuectelCardListRow> {
    while (lines.length > 0) {
      const line = lines.shift() as string;
      if (line.trim() === '') continue;
      if (!header) {
        const clean = line.replace(/^\uFEFF/, '');
        delimiter = clean.includes('\t') ? '\t' : ',';
        header = clean.split(delimiter).map((name) => name.trim());
        continue;
      }
      yield rowOf(header, line.split(delimiter));
    }
  };

  const chunks = Symbol.asyncIterator in body ? body : streamChunks(body);
  for await (const chunk of chunks as AsyncIterable<Uint8Array>) {
    unzip.push(chunk);
    if (failure) throw badFile(failure);
    yield* drain();
  }
  unzip.push(new Uint8Array(0), true);
  if (failure) throw badFile(failure);
  yield* drain();
  if (!found || !ended) {
    throw new SupplierError(
      'supplier_bad_response',
      `the card-list zip holds no complete ${CARD_LIST_FILE_NAME}`,
      { retryable: true },
    );
  }
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function badFile(cause: unknown): SupplierError {
  return new SupplierError('supplier_bad_response', 'the card-list zip cannot be read', {
    cause,
    retryable: true,
  });
}
