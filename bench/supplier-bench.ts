import { parseArgs } from 'node:util';
import { cstMonth, lastCompleteDays } from '../src/domain/index.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { createM2mSimulator } from '../src/suppliers/m2m10086/index.js';
import { createOnelinkV5Simulator } from '../src/suppliers/onelink-v5/index.js';
import { createQuectelSimulator } from '../src/suppliers/quectel/index.js';
import {
  CallCounter,
  type CardRef,
  chunk,
  type SupplierAdapterV1,
} from '../src/suppliers/spec/index.js';
import { appFetch, type PatternFleet } from '../src/suppliers/spec/simulator-kit.js';
import { machine, memorySampler, writeSection } from './report.js';

interface Subject {
  title: string;
  fleet: PatternFleet;
  adapter: SupplierAdapterV1;
  counter: CallCounter;
  /** Calls the simulator answered. */
  simulatorCalls(): number;
}

function subject(supplier: string, size: number, rate: number): Subject {
  const catalog = createSupplierCatalog();
  const counter = new CallCounter();
  if (supplier === 'm2m10086') {
    const credentials = {
      partnercode: 'bench',
      servicecode: 'bench-service',
      password: 'bench-password',
    };
    const simulator = createM2mSimulator({ ...credentials, size });
    simulator.callLog.keep = false;
    const definition = catalog.get('m2m10086');
    const adapter = definition.create(
      'bench',
      definition.parseSettings({ baseUrl: 'http://m2m.simulator', ...credentials }),
      { fetch: appFetch(simulator.app), callCounter: counter, rateLimit: rate },
    );
    return {
      title: 'M2M card platform',
      fleet: simulator.fleet,
      adapter,
      counter,
      simulatorCalls: () => simulator.callLog.total,
    };
  }
  if (supplier === 'onelink-v5') {
    const credentials = { appid: 'bench', password: 'bench-password' };
    const simulator = createOnelinkV5Simulator({ ...credentials, size });
    const definition = catalog.get('onelink-v5');
    const adapter = definition.create(
      'bench',
      definition.parseSettings({ baseUrl: 'http://onelink.simulator', ...credentials }),
      { fetch: appFetch(simulator.app), callCounter: counter, rateLimit: rate },
    );
    return {
      title: 'OneLink v5',
      fleet: simulator.state.fleet,
      adapter,
      counter,
      simulatorCalls: () => simulator.calls.total,
    };
  }
  if (supplier === 'quectel') {
    const credentials = { appKey: 'bench', secret: 'bench-secret' };
    const simulator = createQuectelSimulator({ ...credentials, size });
    simulator.callLog.keep = false;
    const definition = catalog.get('quectel');
    const adapter = definition.create(
      'bench',
      definition.parseSettings({
        baseUrl: 'http://quectel.simulator/openapi/router',
        ...credentials,
      }),
      { fetch: appFetch(simulator.app), callCounter: counter, rateLimit: rate },
    );
    return {
      title: 'Quectel',
      fleet: simulator.fleet.pattern,
      adapter,
      counter,
      simulatorCalls: () => simulator.callLog.total,
    };
  }
  throw new Error(`no supplier benchmark for "${supplier}" (m2m10086, onelink-v5, quectel)`);
}

/**
 * `npm run bench -- supplier --supplier m2m10086 --need monthly --cards 10000 --rate 200`:
 * one need for N cards straight through the adapter, counting calls against the minimum the
 * batch size allows and the achieved call rate against the configured one.
 */
export async function benchSupplier(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      supplier: { type: 'string', default: 'm2m10086' },
      need: { type: 'string', default: 'monthly' },
      cards: { type: 'string', default: '10000' },
      rate: { type: 'string', default: '0' },
      days: { type: 'string', default: '7' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const size = Number(values.cards);
  const rate = Number(values.rate);
  const { title, fleet, adapter, counter, simulatorCalls } = subject(values.supplier!, size, rate);
  const refs: CardRef[] = Array.from({ length: size }, (_, index) => {
    const card = fleet.card(index);
    return { key: String(index), iccid: card.iccid, msisdn: card.msisdn };
  });
  const capability = (
    { daily: 'usage.daily', monthly: 'usage.monthly', status: 'status' } as const
  )[values.need as 'daily' | 'monthly' | 'status'];
  if (!capability) throw new Error(`--need must be daily, monthly or status, got "${values.need}"`);
  const batchSize = adapter.limits.batchSize[capability] ?? 1;
  const dates =
    values.need === 'daily'
      ? lastCompleteDays(Number(values.days), Date.now())
      : [cstMonth(Date.now())];
  const batches = chunk(refs, batchSize);
  const minimum = batches.length * dates.length;
  let failed = 0;
  let next = 0;
  const memory = memorySampler();
  const started = performance.now();
  const tokenCalls = counter.total;
  const worker = async () => {
    while (next < batches.length * dates.length) {
      const index = next++;
      const cards = batches[index % batches.length]!;
      const period = dates[Math.floor(index / batches.length)]!;
      const result =
        capability === 'usage.daily'
          ? await adapter.doGetDailyUsage!({ cards, date: period })
          : capability === 'status'
            ? await adapter.doGetStatus!({ cards })
            : await adapter.doGetMonthlyUsage!({ cards, month: period });
      failed += result.items.filter((item) => !item.ok).length;
    }
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  const seconds = (performance.now() - started) / 1000;
  const peakMiB = memory.stop();
  // OneLink v5 fetches an access token once; it is reported apart from the data calls.
  const authCalls = [...counter.byPath]
    .filter(([path]) => path.endsWith('/get/token'))
    .reduce((sum, [, count]) => sum + count, 0);
  const calls = counter.total - tokenCalls - authCalls;
  const achieved = calls / seconds;
  const command = `npm run bench -- supplier --supplier ${values.supplier} --need ${values.need} --cards ${size}${rate ? ` --rate ${rate}` : ''}`;
  const result = {
    supplier: values.supplier,
    need: values.need,
    cards: size,
    calls,
    simulatorCalls: simulatorCalls(),
    minimum,
    failed,
    seconds: Number(seconds.toFixed(1)),
    achievedRate: Number(achieved.toFixed(1)),
    configuredRate: rate || null,
    peakMiB,
  };
  console.log(JSON.stringify(result, null, 2));
  const rateLine = rate
    ? `| achieved vs configured call rate | ${achieved.toFixed(1)} / ${rate} calls/s (${(((achieved - rate) / rate) * 100).toFixed(1)} %) |`
    : `| call rate (no limit configured) | ${achieved.toFixed(0)} calls/s |`;
  writeSection(
    `supplier-${values.supplier}-${values.need}-${size}`,
    `## ${title}: ${values.need === 'status' ? 'statuses' : `${values.need} usage`} of ${size.toLocaleString('en')} cards${values.need === 'daily' ? ` for ${dates.length} days` : ''}

Command: \`${command}\` — machine: ${machine()}; the simulator in process at zero latency,
called through the adapter with the account's transport (token bucket, call counter).

| figure | value |
|---|---|
| supplier calls made (counted by simdock / answered by the simulator) | ${calls} / ${result.simulatorCalls}${authCalls ? ` (the simulator's figure includes ${authCalls} token call)` : ''} |
| minimum: ⌈${size}/${batchSize}⌉ × ${dates.length} | ${minimum} |
${rateLine}
| cards failed | ${failed} |
| wall time | ${result.seconds} s |
| peak resident memory | ${peakMiB} MiB |`,
  );
  if (calls !== minimum) {
    console.error(`calls made (${calls}) differ from the minimum (${minimum})`);
    process.exitCode = 1;
  }
}
