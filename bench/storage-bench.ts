import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore, type Store } from '../src/store/index.js';
import { dropCurrentFleetStatsTriggers } from '../src/store/migrations/0022-fleet-stats-statements.js';
import { machine, memorySampler, writeSection } from './report.js';

const BATCH = 100;
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
function rawSqlite(file: string, ids: number[], days: number, create: boolean): Promise<number> {
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
    for (const rows of usageBatches(ids, days)) batch(rows);
  }).finally(() => raw.close());
}

/** pg: one multi-row upsert per batch into `table`, one transaction each. */
function rawPostgres(client: pg.Client, table: string, ids: number[], days: number) {
  return timed(async () => {
    for (const rows of usageBatches(ids, days)) {
      const now = Date.now();
      const values = rows.flatMap((row) => [row.cardId, row.date, row.bytes, now]);
      const placeholders = rows
        .map(
          (_, index) =>
            `($${index * 4 + 1}, $${index * 4 + 2}, $${index * 4 + 3}, $${index * 4 + 4})`,
        )
        .join(', ');
      await client.query('begin');
      await client.query(
        `insert into ${table} as u (card_id, date, bytes, updated_at) values ${placeholders} on conflict (card_id, date) do update set bytes = excluded.bytes, updated_at = excluded.updated_at where u.bytes <> excluded.bytes`,
        values,
      );
      await client.query('commit');
    }
  });
}

/** The usage rows a sync of `cards` cards over `days` days writes, in batches of 100 cards. */
function* usageBatches(cardIds: number[], days: number) {
  for (let day = 1; day <= days; day += 1) {
    const date = `2026-01-${String(day).padStart(2, '0')}`;
    for (let start = 0; start < cardIds.length; start += BATCH) {
      yield cardIds
        .slice(start, start + BATCH)
        .map((cardId) => ({ cardId, date, bytes: (cardId * 7919 + day * 104_729) % 5_000_000 }));
    }
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
  /** Both simdock stores without the kept fleet figures (their triggers dropped). */
  noFigures = false,
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
      for (const rows of usageBatches(ids, days)) await store.usage.upsertDaily(rows);
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
      rawSeconds = await rawSqlite(join(directory, 'raw.db'), ids, days, true);
      rawSchemaSeconds = await rawSqlite(join(directory, 'schema.db'), secondIds, days, false);
    } else {
      const client = admin!;
      await client.query(
        `create table ${schema}.raw_usage_daily (card_id bigint not null, date text not null, bytes bigint not null, updated_at bigint not null, primary key (card_id, date))`,
      );
      rawSeconds = await rawPostgres(client, `${schema}.raw_usage_daily`, ids, days);
      // The triggers' statements name their tables unqualified, as simdock's connection does.
      await client.query(`set search_path = ${schema}_schema`);
      rawSchemaSeconds = await rawPostgres(client, `${schema}_schema.usage_daily`, secondIds, days);
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
 * Storage ingest: the daily usage rows a sync writes (batches of 100, one upsert transaction
 * each) through simdock's store, against the raw driver doing the same inserts in the same run.
 * PostgreSQL runs when `--postgres URL` or SIMDOCK_TEST_DATABASE_URL is given.
 */
export async function benchStorage(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '100000' },
      days: { type: 'string', default: '3' },
      postgres: { type: 'string' },
      'no-figures': { type: 'boolean', default: false },
    },
  });
  const cards = Number(values.cards);
  const days = Number(values.days);
  const noFigures = values['no-figures'];
  const postgresUrl = values.postgres ?? process.env.SIMDOCK_TEST_DATABASE_URL;
  const results = [await benchDialect('sqlite', cards, days, undefined, noFigures)];
  if (postgresUrl)
    results.push(await benchDialect('postgres', cards, days, postgresUrl, noFigures));
  console.log(JSON.stringify(results, null, 2));
  const command = `npm run bench -- storage --cards ${cards} --days ${days}${noFigures ? ' --no-figures' : ''}${postgresUrl ? ' --postgres <url>' : ''}`;
  writeSection(
    noFigures ? 'storage-no-figures' : 'storage',
    `## Storage ingest: ${(cards * days).toLocaleString('en')} daily usage rows${noFigures ? ', without the kept fleet figures' : ''}

Command: \`${command}\` — machine: ${machine()}, load average before the run ${loadBefore}. Rows go in as a sync writes them: batches of
100 cards, one upsert transaction per batch. The raw-driver baseline (better-sqlite3 prepared
statement / one multi-row \`pg\` insert per batch, same conflict rule) runs in the same process
right after, into a bare table with only its primary key (the goal's baseline: simdock ÷ raw).
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
