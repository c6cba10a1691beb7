import { parseArgs } from 'node:util';
import { cstMonth, lastCompleteDays } from '../src/domain/index.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import {
  CallCounter,
  type Capability,
  type CardRef,
  chunk,
  type SupplierAdapterV1,
  type SupplierSimulation,
} from '../src/suppliers/spec/index.js';
import { appFetch } from '../src/suppliers/spec/simulator-kit.js';
import { machine, memorySampler, writeSection } from './report.js';

const SUPPLIERS = createSupplierCatalog().types();
const NEEDS = ['inventory', 'identities', 'status', 'usage.daily', 'usage.monthly'] as const;

interface Subject {
  adapter: SupplierAdapterV1;
  card: SupplierSimulation['card'];
  counter: CallCounter;
  /** Calls the simulator answered so far. */
  simulatorCalls(): number;
}

/** The supplier's simulator in process (zero latency) and an adapter on it, no rate limit. */
function subject(supplier: string, size: number): Subject {
  const definition = createSupplierCatalog().get(supplier);
  const counter = new CallCounter();
  // Agent devices are not what this benchmark measures.
  const simulator = definition.simulator.create({ size, devices: 0 });
  simulator.forgetCalls();
  const settings = simulator.settings('http://simulator');
  const adapter = definition.create('bench', definition.parseSettings(settings), {
    fetch: appFetch(simulator.app),
    callCounter: counter,
    rateLimit: 0,
  });
  return { adapter, card: simulator.card, counter, simulatorCalls: simulator.calls };
}

interface NeedFigures {
  supplier: string;
  need: Capability;
  cards: number;
  batchSize: number;
  periods: number;
  /** Data calls the simulator answered (token calls excluded). */
  calls: number;
  minimum: number;
  authCalls: number;
  failed: number;
  seconds: number;
  callsPerSecond: number;
  peakMiB: number;
}

async function measureNeed(
  supplier: string,
  need: Capability,
  size: number,
  days: number,
  concurrency: number,
): Promise<NeedFigures | null> {
  const { adapter, card, counter, simulatorCalls } = subject(supplier, size);
  if (!adapter.capabilities.has(need)) return null;
  const memory = memorySampler();
  const started = performance.now();
  let failed = 0;
  let batchSize: number;
  let periods = 1;
  if (need === 'inventory') {
    batchSize = adapter.limits.pageSize ?? 1;
    let cursor: string | undefined;
    let listed = 0;
    do {
      const page = await adapter.doListCards!(cursor === undefined ? {} : { cursor });
      listed += page.cards.length;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    failed = size - listed;
  } else {
    batchSize = adapter.limits.batchSize[need] ?? 1;
    const refs: CardRef[] = Array.from({ length: size }, (_, index) => {
      const { iccid, msisdn, imsi } = card(index);
      return { key: String(index), iccid, msisdn, imsi };
    });
    const batches = chunk(refs, batchSize);
    const dates = need === 'usage.daily' ? lastCompleteDays(days, Date.now()) : [''];
    periods = dates.length;
    const month = cstMonth(Date.now());
    let next = 0;
    const worker = async () => {
      while (next < batches.length * dates.length) {
        const index = next++;
        const cards = batches[index % batches.length]!;
        const date = dates[Math.floor(index / batches.length)]!;
        const result =
          need === 'identities'
            ? await adapter.doGetIdentities!({ cards })
            : need === 'status'
              ? await adapter.doGetStatus!({ cards })
              : need === 'usage.daily'
                ? await adapter.doGetDailyUsage!({ cards, date })
                : await adapter.doGetMonthlyUsage!({ cards, month });
        failed += result.items.filter((item) => !item.ok).length;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  const seconds = (performance.now() - started) / 1000;
  // OneLink v5 fetches an access token; it is counted apart from the data calls.
  const authCalls = [...counter.byPath]
    .filter(([path]) => path.endsWith('/get/token'))
    .reduce((sum, [, count]) => sum + count, 0);
  const calls = simulatorCalls() - authCalls;
  return {
    supplier,
    need,
    cards: size,
    batchSize,
    periods,
    calls,
    minimum: Math.ceil(size / batchSize) * periods,
    authCalls,
    failed,
    seconds: Number(seconds.toFixed(1)),
    callsPerSecond: Math.round(calls / seconds),
    peakMiB: memory.stop(),
  };
}

/**
 * `npm run bench -- calls --cards 1000000 [--per-card-cards 100000 --days 1]`: for every
 * supplier and every need it offers, the calls its simulator answered for N cards against the
 * minimum ⌈N/batch⌉ (× days). Needs of one card per call run at `--per-card-cards`.
 */
export async function benchCalls(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '1000000' },
      'per-card-cards': { type: 'string', default: '100000' },
      days: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '8' },
      supplier: { type: 'string' },
    },
  });
  const cards = Number(values.cards);
  const perCardCards = Math.min(cards, Number(values['per-card-cards']));
  const days = Number(values.days);
  const figures: NeedFigures[] = [];
  for (const supplier of SUPPLIERS) {
    if (values.supplier !== undefined && values.supplier !== supplier) continue;
    for (const need of NEEDS) {
      // Probe the batch size first: a need of one card per call runs at the smaller size.
      const probe = subject(supplier, 1).adapter;
      if (!probe.capabilities.has(need)) continue;
      const batch = need === 'inventory' ? probe.limits.pageSize : probe.limits.batchSize[need];
      const size = (batch ?? 1) === 1 ? perCardCards : cards;
      const result = await measureNeed(supplier, need, size, days, Number(values.concurrency));
      if (!result) continue;
      console.log(JSON.stringify(result));
      figures.push(result);
    }
  }
  const command = `npm run bench -- calls --cards ${cards}${perCardCards === 100_000 || perCardCards === cards ? '' : ` --per-card-cards ${perCardCards}`}${days === 1 ? '' : ` --days ${days}`}`;
  const unequal = figures.filter((figure) => figure.calls !== figure.minimum);
  writeSection(
    `calls-${cards}`,
    `## Supplier calls: every supplier and need, ${cards.toLocaleString('en')} cards

Command: \`${command}\` — machine: ${machine()}. Each supplier's simulator runs in process at
zero latency with no rate limit; the adapter is called once per batch (${values.concurrency} at a
time; daily usage for ${days} day${days === 1 ? '' : 's'}), inventory pages until the last.
Calls are counted by the simulator (OneLink v5's token calls are shown apart). Needs whose batch
is one card run at ${perCardCards.toLocaleString('en')} cards: their calls scale linearly, so
${cards.toLocaleString('en')} cards take ${(cards / perCardCards).toLocaleString('en')} × the calls and
the time shown. Peak RSS is the process's peak so far: the needs run one after another in one
process, so a row's figure includes what the rows before it left behind.

| supplier | need | cards | batch | calls (simulator) | minimum ⌈N/batch⌉${days === 1 ? '' : ' × days'} | equal | cards failed | wall s | calls/s | peak RSS |
|---|---|---|---|---|---|---|---|---|---|---|
${figures
  .map(
    (figure) =>
      `| ${figure.supplier} | ${figure.need} | ${figure.cards.toLocaleString('en')} | ${figure.batchSize} | ${figure.calls.toLocaleString('en')}${figure.authCalls ? ` (+${figure.authCalls} token)` : ''} | ${figure.minimum.toLocaleString('en')} | ${figure.calls === figure.minimum ? 'yes' : '**no**'} | ${figure.failed} | ${figure.seconds} | ${figure.callsPerSecond.toLocaleString('en')} | ${figure.peakMiB} MiB |`,
  )
  .join('\n')}`,
  );
  if (unequal.length > 0) {
    console.error(
      `calls differ from the minimum: ${unequal.map((f) => `${f.supplier} ${f.need}`)}`,
    );
    process.exitCode = 1;
  }
}
