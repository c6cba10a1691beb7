import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { defaultSliceSize, KEEP_ANSWERS } from '../src/services/sync/sync.js';
import { openStore, type Store } from '../src/store/index.js';
import { dropCurrentFleetStatsTriggers } from '../src/store/migrations/0022-fleet-stats-statements.js';
import { chunks, rowsPerStatement } from '../src/store/store-sql.js';
import { ONELINK_V2_BATCH_LIMIT } from '../src/suppliers/onelink-v2/index.js';
import { machine, memorySampler, writeSection } from './report.js';

/** Cards a supplier call answers (OneLink v2 daily usage: 100 a call). */
const BATCH = ONELINK_V2_BATCH_LIMIT;
/** Cards a sync slice of such an account holds (its phases store their answers per slice). */
const SLICE = defaultSliceSize({ limits: { batchSize: { 'usage.daily': BATCH } } });
/** The machine's load average when the run started. */
const loadBefore = loadavg()
  .map((load) => load.toFixed(2))
  .join(', ');

interface IngestFigures {
  dialect: 'sqlite' | 'postgres';
  rows: number;
  storeSeconds: number;
  rawSeconds: number;
  storeRowsPerSecond: number;
  rawRowsPerSecond: number;
  /** simdock's rate over the raw driver's (1 = as fast). */
  ratio: number;
  /**
   * The raw driver's same upsert into simdock's own schema (its indexes and the triggers that
   * keep the fleet statistics, migrations 0015 and 0022), and simdock's rate over that.
   */
  rawSchemaSeconds: number;
  rawSchemaRowsPerSecond: number;
  schemaRatio: number;
  peakMiB: number;
}

const UPSERT_SQLITE =
  'insert into usage_daily (card_id, date, bytes, updated_at) values (?, ?, ?, ?) on conflict (card_id, date) do update set bytes = excluded.bytes, updated_at = excluded.updated_at where usage_daily.bytes <> excluded.bytes';

/** better-sqlite3: the batches through one prepared upsert, one transaction each. */
function rawSqlite(
  file: string,
  ids: number[],
  days: number,
  flush: number,
  create: boolean,
): Promise<number> {
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  if (create) {
    raw.exec(
      'create table usage_daily (card_id integer not null, date text not null, bytes integer not null, updated_at integer not null, primary key (card_id, date))',
    );
  } else {
    // As simdock's connection runs (store-connection.ts).
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
  }
  const insert = raw.prepare(UPSERT_SQLITE);
  const batch = raw.transaction((rows: { cardId: number; date: string; bytes: number }[]) => {
    const now = Date.now();
    for (const row of rows) insert.run(row.cardId, row.date, row.bytes, now);
  });
  return timed(async () => {
    for (const rows of usageFlushes(ids, days, flush)) batch(rows);
  }).finally(() => raw.close());
}

/** pg: multi-row upserts into `table` (as many rows a statement as simdock's), one transaction a flush. */
function rawPostgres(client: pg.Client, table: string, ids: number[], days: number, flush: number) {
  return timed(async () => {
    for (const rows of usageFlushes(ids, days, flush)) {
      const now = Date.now();
      await client.query('begin');
      for (const part of chunks(rows, rowsPerStatement('postgres', 4))) {
        const values = part.flatMap((row) => [row.cardId, row.date, row.bytes, now]);
        const placeholders = part
          .map(
            (_, index) =>
              `($${index * 4 + 1}, $${index * 4 + 2}, $${index * 4 + 3}, $${index * 4 + 4})`,
          )
          .join(', ');
        await client.query(
          `insert into ${table} as u (card_id, date, bytes, updated_at) values ${placeholders} on conflict (card_id, date) do update set bytes = excluded.bytes, updated_at = excluded.updated_at where u.bytes <> excluded.bytes`,
          values,
        );
      }
      await client.query('commit');
    }
  });
}

/**
 * The usage rows a sync of `cards` cards over `days` days writes, in the order it writes them:
 * slice by slice (`SLICE`: 2,000 cards), each slice's days in calls of 100 cards, its keep buffer storing
 * up to `flush` answers a transaction and the rest when the slice's phase ends (sync.ts). A
 * slice's days of one card then go in together, as they do in a sync. `--flush 100` stores each
 * call on its own, as a sync once did.
 */
function* usageFlushes(cardIds: number[], days: number, flush: number) {
  let pending: { cardId: number; date: string; bytes: number }[] = [];
  for (let first = 0; first < cardIds.length; first += SLICE) {
    const slice = cardIds.slice(first, first + SLICE);
    for (let day = 1; day <= days; day += 1) {
      const date = `2026-01-${String(day).padStart(2, '0')}`;
      for (let start = 0; start < slice.length; start += BATCH) {
        for (const cardId of slice.slice(start, start + BATCH)) {
          pending.push({ cardId, date, bytes: (cardId * 7919 + day * 104_729) % 5_000_000 });
        }
        if (pending.length >= flush) {
          yield pending;
          pending = [];
        }
      }
    }
    // The slice's phase ends: its keep buffer stores what waits.
    if (pending.length > 0) yield pending;
    pending = [];
  }
}

/** The bench account and its `cards` cards (imported through simdock), their ids in order. */
async function cardIdsOf(store: Store, cards: number): Promise<number[]> {
  await store.accounts.upsert({
    id: 'bench',
    type: 'onelink-v2',
    name: null,
    enabled: true,
    settings: {},
    secrets: {},
  });
  const iccids = Array.from(
    { length: cards },
    (_, index) => `8986049${String(index).padStart(13, '0')}`,
  );
  await store.cards.importCards(
    'bench',
    'onelink-v2',
    iccids.map((iccid) => ({ iccid, msisdn: null, imsi: null })),
  );
  const ids: number[] = [];
  for (let afterId = 0; ; ) {
    const page = await store.cards.listForSync('bench', { afterId, limit: 10_000 });
    if (page.length === 0) break;
    ids.push(...page.map((card) => card.id));
    afterId = page.at(-1)!.id;
  }
  return ids;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

async function benchDialect(
  dialect: 'sqlite' | 'postgres',
  cards: number,
  days: number,
  postgresUrl: string | undefined,
  /** Rows a transaction. */
  flush: number,
  /** Both simdock stores without the kept fleet figures (their triggers dropped). */
  noFigures: boolean,
): Promise<IngestFigures> {
  const directory = mkdtempSync(join(tmpdir(), 'simdock-storage-bench-'));
  const schema = `simdock_bench_${process.pid}`;
  let admin: pg.Client | null = null;
  let url = `sqlite:${join(directory, 'store.db')}`;
  let secondUrl = `sqlite:${join(directory, 'schema.db')}`;
  if (dialect === 'postgres') {
    admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(
      `drop schema if exists ${schema} cascade; create schema ${schema}; drop schema if exists ${schema}_schema cascade; create schema ${schema}_schema`,
    );
    const separator = postgresUrl!.includes('?') ? '&' : '?';
    url = `${postgresUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    secondUrl = `${postgresUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}_schema`)}`;
  }
  const store = await openStore({ url, secretKey: Buffer.alloc(32, 7) });
  const memory = memorySampler();
  try {
    const ids = await cardIdsOf(store, cards);
    if (noFigures) await dropCurrentFleetStatsTriggers(store.db, dialect);
    const storeSeconds = await timed(async () => {
      for (const rows of usageFlushes(ids, days, flush)) await store.usage.upsertDaily(rows);
      // The card list's usage order brought up to date, as a sync does when its run ends.
      await store.fleetStats.foldUsageOrder();
    });
    // The raw driver: the same rows, the same batches, the same upsert, one transaction each,
    // first into a bare table with only its primary key, then into a second simdock store's
    // schema (same cards imported through simdock, so the kept figures count them).
    let rawSeconds: number;
    let rawSchemaSeconds: number;
    const second = await openStore({ url: secondUrl, secretKey: Buffer.alloc(32, 7) });
    let secondIds: number[];
    try {
      secondIds = await cardIdsOf(second, cards);
      if (noFigures) await dropCurrentFleetStatsTriggers(second.db, dialect);
    } finally {
      await second.close();
    }
    if (dialect === 'sqlite') {
      rawSeconds = await rawSqlite(join(directory, 'raw.db'), ids, days, flush, true);
      rawSchemaSeconds = await rawSqlite(
        join(directory, 'schema.db'),
        secondIds,
        days,
        flush,
        false,
      );
    } else {
      const client = admin!;
      await client.query(
        `create table ${schema}.raw_usage_daily (card_id bigint not null, date text not null, bytes bigint not null, updated_at bigint not null, primary key (card_id, date))`,
      );
      rawSeconds = await rawPostgres(client, `${schema}.raw_usage_daily`, ids, days, flush);
      // The triggers' statements name their tables unqualified, as simdock's connection does.
      await client.query(`set search_path = ${schema}_schema`);
      rawSchemaSeconds = await rawPostgres(
        client,
        `${schema}_schema.usage_daily`,
        secondIds,
        days,
        flush,
      );
      await client.query('reset search_path');
    }
    const rows = cards * days;
    return {
      dialect,
      rows,
      storeSeconds: Number(storeSeconds.toFixed(2)),
      rawSeconds: Number(rawSeconds.toFixed(2)),
      storeRowsPerSecond: Math.round(rows / storeSeconds),
      rawRowsPerSecond: Math.round(rows / rawSeconds),
      ratio: Number((rawSeconds / storeSeconds).toFixed(2)),
      rawSchemaSeconds: Number(rawSchemaSeconds.toFixed(2)),
      rawSchemaRowsPerSecond: Math.round(rows / rawSchemaSeconds),
      schemaRatio: Number((rawSchemaSeconds / storeSeconds).toFixed(2)),
      peakMiB: memory.stop(),
    };
  } finally {
    await store.close();
    if (admin) {
      await admin.query(
        `drop schema if exists ${schema} cascade; drop schema if exists ${schema}_schema cascade`,
      );
      await admin.end();
    }
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * Storage ingest: the daily usage rows a sync writes (calls of 100 cards, `--flush` rows a
 * transaction) through simdock's store, against the raw driver doing the same inserts in the
 * same run.
 * PostgreSQL runs when `--postgres URL` or SIMDOCK_TEST_DATABASE_URL is given.
 */
export async function benchStorage(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '100000' },
      days: { type: 'string', default: '3' },
      postgres: { type: 'string' },
      flush: { type: 'string', default: String(KEEP_ANSWERS) },
      'no-figures': { type: 'boolean', default: false },
    },
  });
  const cards = Number(values.cards);
  const days = Number(values.days);
  const flush = Number(values.flush);
  const noFigures = values['no-figures'];
  const postgresUrl = values.postgres ?? process.env.SIMDOCK_TEST_DATABASE_URL;
  const results = [await benchDialect('sqlite', cards, days, undefined, flush, noFigures)];
  if (postgresUrl)
    results.push(await benchDialect('postgres', cards, days, postgresUrl, flush, noFigures));
  console.log(JSON.stringify(results, null, 2));
  const command = `npm run bench -- storage --cards ${cards} --days ${days}${flush === KEEP_ANSWERS ? '' : ` --flush ${flush}`}${noFigures ? ' --no-figures' : ''}${postgresUrl ? ' --postgres <url>' : ''}`;
  writeSection(
    `storage${noFigures ? '-no-figures' : ''}${flush === KEEP_ANSWERS ? '' : `-flush-${flush}`}`,
    `## Storage ingest: ${(cards * days).toLocaleString('en')} daily usage rows${noFigures ? ', without the kept fleet figures' : ''}${flush === KEEP_ANSWERS ? '' : `, ${flush} rows a transaction`}

Command: \`${command}\` — machine: ${machine()}, load average before the run ${loadBefore}. Rows go in as a sync stores them: slice by
slice (2,000 cards), each slice's days in calls of 100 cards, up to ${flush.toLocaleString('en')} rows a transaction and
the rest when the slice's phase ends (a sync's keep buffer stores up to
${KEEP_ANSWERS.toLocaleString('en')} answers at once; \`--flush 100\` stores each call on its own). The raw-driver baseline
(better-sqlite3 prepared statement / multi-row \`pg\` inserts, same transactions, same conflict
rule) runs in the same process right after, into a bare table with only its primary key (the
goal's baseline: simdock ÷ raw).
A second raw baseline does the same upserts into simdock's own schema (a second store with the
same cards imported through simdock: the usage table's indexes and the triggers that keep the
fleet statistics, which issue 18 requires); "÷ raw in schema" is simdock over that.${noFigures ? "\nThis run drops the kept figures' triggers in both simdock stores before the rows go in\n(`--no-figures`): what the usage rows cost without issue 18's figures kept in their transaction." : ''}
PostgreSQL 15 on the same machine (loopback).

| dialect | simdock rows/s | raw driver rows/s | simdock ÷ raw | raw in simdock's schema rows/s | simdock ÷ raw in schema | simdock s | raw s | raw in schema s | peak RSS |
|---|---|---|---|---|---|---|---|---|---|
${results
  .map(
    (result) =>
      `| ${result.dialect} | ${result.storeRowsPerSecond.toLocaleString('en')} | ${result.rawRowsPerSecond.toLocaleString('en')} | ${result.ratio} | ${result.rawSchemaRowsPerSecond.toLocaleString('en')} | ${result.schemaRatio} | ${result.storeSeconds} | ${result.rawSeconds} | ${result.rawSchemaSeconds} | ${result.peakMiB} MiB |`,
  )
  .join('\n')}${postgresUrl ? '' : '\n\nPostgreSQL was not measured in this run (no URL given).'}`,
  );
}
