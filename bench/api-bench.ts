import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { ApiKeysRepository } from '../src/services/access/access-keys.js';
import { openStore } from '../src/store/index.js';
import { ROOT_TENANT_ID, TenantsRepository } from '../src/store/repositories/tenants-repository.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { fillBenchFleet } from './bench-fleet.js';
import { machine, writeSection } from './report.js';

const SECRET_KEY = Buffer.alloc(32, 11);
const TARGET_P95_MS = 50;

interface Scenario {
  name: string;
  path: string;
  /** Whether the issue's p95 target applies to it. */
  targeted: boolean;
}

interface LoadFigures {
  scenario: Scenario;
  /** API processes sharing the port. */
  processes: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU time the API process(es) spent per answered request, in µs; null when unknown. */
  cpuPerRequestUs: number | null;
  /** Load average (1 min) of the machine when the load started. */
  loadBefore: number;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)]!;
}

/** Starts the API process over the filled database; resolves with it and its origin. */
async function startServer(
  databasePath: string,
  processes: number,
  rateLimitPerMinute = 0,
): Promise<{ child: ChildProcess; origin: string }> {
  const script = new URL('./api-bench-server.ts', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      script,
      databasePath,
      SECRET_KEY.toString('hex'),
      String(processes),
      String(rateLimitPerMinute),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: new URL('..', import.meta.url).pathname },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = /^listening (\d+)$/.exec(line);
    if (match) return { child, origin: `http://127.0.0.1:${match[1]}` };
  }
  throw new Error('the API process ended before it listened');
}

/**
 * Peak resident memory of a live process and the processes it started, summed, in MiB (Linux
 * VmHWM), or null elsewhere.
 */
function peakMemoryOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    if (!kib) return null;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    const below = children === '' ? [] : children.split(/\s+/).map((child) => peakMemoryOf(+child));
    return below.reduce<number>((sum, item) => sum + (item ?? 0), Math.round(Number(kib) / 1024));
  } catch {
    return null;
  }
}

/** CPU time (user + system) of a process and the processes it started, in ms; null elsewhere. */
function cpuTimeOf(pid: number): number | null {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): clock ticks of 10 ms.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const own = (Number(fields[11]) + Number(fields[12])) * 10;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    const below = children === '' ? [] : children.split(/\s+/).map((child) => cpuTimeOf(+child));
    return below.reduce<number>((sum, item) => sum + (item ?? 0), own);
  } catch {
    return null;
  }
}

/** Stops a server process started by `startServer` and waits for it to end. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function load(
  server: { origin: string; child: ChildProcess },
  scenario: Scenario,
  key: string,
  processes: number,
  connections: number,
  seconds: number,
): Promise<LoadFigures> {
  const { origin } = server;
  const times: number[] = [];
  const loadBefore = Number(loadavg()[0]!.toFixed(1));
  const cpuBefore = cpuTimeOf(server.child.pid!);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${origin}${scenario.path}`,
        connections,
        duration: seconds,
        headers: { authorization: `Bearer ${key}` },
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
    });
  });
  const cpuAfter = cpuTimeOf(server.child.pid!);
  times.sort((left, right) => left - right);
  return {
    scenario,
    processes,
    connections,
    requests: times.length,
    requestsPerSecond: Number((times.length / seconds).toFixed(1)),
    p50: Number(percentile(times, 0.5).toFixed(1)),
    p95: Number(percentile(times, 0.95).toFixed(1)),
    p99: Number(percentile(times, 0.99).toFixed(1)),
    non2xx: result.non2xx,
    errors: result.errors,
    cpuPerRequestUs:
      cpuBefore === null || cpuAfter === null || times.length === 0
        ? null
        : Math.round(((cpuAfter - cpuBefore) * 1000) / times.length),
    loadBefore,
  };
}

/**
 * `npm run bench -- api [--cards 1000000 --connections 32 --seconds 10 --processes 2]`: fills
 * SQLite with N cards, serves the API on loopback in its own process and loads `GET
 * /api/v1/cards` (status filter, ICCID sort) with autocannon: the first page and a cursor 90 %
 * into the list; at `connections` with one API process and with `processes` sharing the port
 * (`simdock serve --processes`), then one connection alone.
 */
export async function benchApi(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '1000000' },
      connections: { type: 'string', default: '32' },
      seconds: { type: 'string', default: '10' },
      processes: { type: 'string', default: '2' },
      // Requests a minute per key (0: the limit off). A limit the load never reaches measures
      // what the shared per-key limit costs a request.
      'rate-limit': { type: 'string', default: '0' },
    },
  });
  const cards = Number(values.cards);
  const connections = Number(values.connections);
  const seconds = Number(values.seconds);
  const processes = Number(values.processes);
  const rateLimit = Number(values['rate-limit']);
  const directory = mkdtempSync(join(tmpdir(), 'simdock-api-bench-'));
  const databasePath = join(directory, 'bench.db');
  let child: ChildProcess | null = null;
  try {
    const store = await openStore({ url: `sqlite:${databasePath}`, secretKey: SECRET_KEY });
    let key: string;
    let deepCursor: string;
    let fillSeconds: number;
    let activeCards: number;
    try {
      fillSeconds = await fillBenchFleet(store, createSupplierCatalog(), cards);
      await new TenantsRepository(store).root();
      ({ key } = await new ApiKeysRepository(store).create({
        name: 'bench',
        role: 'owner',
        tenantId: ROOT_TENANT_ID,
      }));
      const counted = await sql<{
        count: number;
      }>`select count(*) as count from cards where status = 'active'`.execute(store.db);
      activeCards = Number(counted.rows[0]?.count ?? 0);
      // The card 90 % into the active cards in ICCID order: the cursor a client holds after
      // paging deep into the list (the cursor is base64url JSON [sort, key, id], access-cards.ts).
      const deep = await sql<{ iccid: string; id: number }>`select coalesce(iccid, '') as iccid, id
        from cards where status = 'active' order by coalesce(iccid, ''), id
        limit 1 offset ${Math.floor(activeCards * 0.9)}`.execute(store.db);
      const row = deep.rows[0]!;
      deepCursor = Buffer.from(JSON.stringify(['iccid', row.iccid, Number(row.id)])).toString(
        'base64url',
      );
    } finally {
      await store.close();
    }
    let server = await startServer(databasePath, 1, rateLimit);
    child = server.child;
    const scenarios: Scenario[] = [
      {
        name: 'first page',
        path: '/api/v1/cards?status=active&sort=iccid&order=asc&limit=50',
        targeted: true,
      },
      {
        name: 'cursor 90 % deep',
        path: `/api/v1/cards?status=active&sort=iccid&order=asc&limit=50&cursor=${deepCursor}`,
        targeted: true,
      },
      {
        name: 'first page, newest id first',
        path: '/api/v1/cards?status=suspended&sort=id&order=desc&limit=50',
        targeted: true,
      },
    ];
    // One checked request each: the page is full and in order, so the load measures real pages.
    for (const scenario of scenarios) {
      const answer = await fetch(`${server.origin}${scenario.path}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const body = (await answer.json()) as { cards: { iccid: string }[] };
      if (answer.status !== 200 || body.cards.length !== 50) {
        throw new Error(`${scenario.name}: ${answer.status}, ${body.cards?.length} cards`);
      }
    }
    const figures: LoadFigures[] = [];
    const run = async (count: number, concurrency: number, chosen: Scenario[]) => {
      for (const scenario of chosen) {
        const result = await load(server, scenario, key, count, concurrency, seconds);
        console.log(JSON.stringify({ ...result, scenario: scenario.name }));
        figures.push(result);
      }
    };
    // The issue's load on one API process, then one connection (the latency of a request on its
    // own), then the issue's load on `processes` API processes sharing the port.
    await run(1, connections, scenarios);
    await run(1, 1, scenarios.slice(0, 2));
    const peakMiB = peakMemoryOf(child.pid!);
    let peakManyMiB: number | null = null;
    if (processes > 1) {
      await stopServer(child);
      server = await startServer(databasePath, processes, rateLimit);
      child = server.child;
      await run(processes, connections, scenarios);
      peakManyMiB = peakMemoryOf(child.pid!);
    }
    const machineLoad = loadavg()[0]!.toFixed(1);
    const metWith = (count: number) =>
      figures.every(
        (figure) =>
          figure.processes !== count ||
          figure.connections !== connections ||
          !figure.scenario.targeted ||
          figure.p95 < TARGET_P95_MS,
      );
    const met = metWith(1) || (processes > 1 && metWith(processes));
    const command = `npm run bench -- api --cards ${cards}${connections === 32 ? '' : ` --connections ${connections}`}${seconds === 10 ? '' : ` --seconds ${seconds}`}${processes === 2 ? '' : ` --processes ${processes}`}${rateLimit > 0 ? ` --rate-limit ${rateLimit}` : ''}`;
    const row = (figure: LoadFigures) =>
      `| ${figure.scenario.name}: \`${figure.scenario.path.replace(/cursor=[^&]+/, 'cursor=…')}\` | ${figure.processes} | ${figure.connections} | ${figure.requestsPerSecond} | ${figure.p50} ms | ${figure.p95} ms | ${figure.p99} ms | ${figure.cpuPerRequestUs === null ? '?' : `${figure.cpuPerRequestUs} µs`} | ${figure.loadBefore} | ${figure.non2xx} / ${figure.errors} |`;
    const memory = (value: number | null) => (value === null ? 'unknown' : `${value} MiB`);
    writeSection(
      `api-${cards}${rateLimit > 0 ? '-limited' : ''}`,
      `## API: \`GET /api/v1/cards\` over ${cards.toLocaleString('en')} cards

Command: \`${command}\` — machine: ${machine()}, SQLite (WAL). The API runs in its own Node
process on loopback (${rateLimit > 0 ? `rate limit ${rateLimit.toLocaleString('en')} requests a minute per key, shared through the database` : 'rate limit off'}, an owner's API key), or in ${processes} processes sharing the
port (\`simdock serve --processes ${processes}\`, node:cluster); autocannon in the benchmark's
process, ${seconds} s per request kind. ${activeCards.toLocaleString('en')} cards are \`active\`;
each card has this month's usage. Latencies are per request as autocannon timed them; "API CPU"
is the CPU time of the API process(es) divided by the requests answered; "load" is the
machine's 1-minute load average when the run started (other work on the machine shows there).

| request | API processes | connections | requests/s | p50 | p95 | p99 | API CPU / request | load | non-2xx / errors |
|---|---|---|---|---|---|---|---|---|---|
${figures.map(row).join('\n')}

| figure | value |
|---|---|
| peak resident memory of the one API process | ${memory(peakMiB)} |
${processes > 1 ? `| peak resident memory of the ${processes} API processes and their supervisor | ${memory(peakManyMiB)} |\n` : ''}| filling the database (import in chunks of 100,000, statuses, a month of usage) | ${fillSeconds.toFixed(1)} s |
| load average (1 min) of the machine at the end of the run | ${machineLoad} |
| target: p95 under ${TARGET_P95_MS} ms for the first page and a deep cursor at ${connections} connections, one process | ${metWith(1) ? 'met' : 'NOT met'} |
${processes > 1 ? `| the same with ${processes} API processes | ${metWith(processes) ? 'met' : 'NOT met'} |\n` : ''}
Both ICCID-sorted requests are an index range (migration 0010; \`EXPLAIN QUERY PLAN\`: \`SEARCH
cards USING INDEX cards_status_iccid_sort (status=? AND <expr>>?)\`, no temporary B-tree), which
the one-connection rows show. At ${connections} connections the latency is queueing in the API
process (p50 ≈ ${connections} ÷ requests/s), so what decides p95 is the CPU an API process spends
per request, and how many cores it gets: here the load tool runs on the same cores.`,
    );
    if (!met) process.exitCode = 1;
  } finally {
    if (child) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(directory, { recursive: true, force: true });
  }
}
