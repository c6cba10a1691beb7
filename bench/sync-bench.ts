import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createServiceContext, saveAccounts } from '../src/services/context.js';
import { importCards } from '../src/services/inventory/card-import.js';
import { syncAccount } from '../src/services/sync/sync.js';
import { openStore } from '../src/store/index.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { createOnelinkV2Simulator } from '../src/suppliers/onelink-v2/index.js';
import { appFetch } from '../src/suppliers/spec/simulator-kit.js';
import { machine, memorySampler, writeSection } from './report.js';

/** OneLink v2: import N cards, resolve identities, pull 7 days of daily usage. */
export async function benchSync(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '100000' },
      days: { type: 'string', default: '7' },
    },
  });
  const cards = Number(values.cards);
  const days = Number(values.days);
  const directory = mkdtempSync(join(tmpdir(), 'simdock-bench-'));
  const credentials = {
    appid: 'bench',
    password: 'bench-password',
    ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
  };
  const simulator = createOnelinkV2Simulator({ ...credentials, size: cards });
  simulator.callLog.keep = false;
  const store = await openStore({
    url: `sqlite:${join(directory, 'bench.db')}`,
    secretKey: Buffer.alloc(32, 7),
  });
  const catalog = createSupplierCatalog();
  try {
    await saveAccounts(store, catalog, [
      {
        id: 'bench',
        type: 'onelink-v2',
        name: null,
        rateLimit: 0,
        settings: { baseUrl: 'http://onelink.simulator/v2', ...credentials },
      },
    ]);
    const context = createServiceContext({ store, catalog, fetch: appFetch(simulator.app) });
    const lines = Array.from({ length: cards }, (_, index) => simulator.fleet.card(index).iccid);
    const importStarted = performance.now();
    await importCards(context, 'bench', lines.join('\n'), 'bench');
    const importSeconds = (performance.now() - importStarted) / 1000;

    const memory = memorySampler();
    const started = performance.now();
    const summary = await syncAccount(context, 'bench', { days });
    const seconds = (performance.now() - started) / 1000;
    const peakMiB = memory.stop();
    const batches = Math.ceil(cards / 100);
    const minimum = batches + batches * days;
    const result = {
      cards,
      days,
      calls: summary.calls,
      simulatorCalls: simulator.callLog.total,
      minimum,
      rowsWritten: summary.rowsWritten,
      failed: summary.failed,
      seconds: Number(seconds.toFixed(1)),
      rowsPerSecond: Math.round(summary.rowsWritten / seconds),
      importSeconds: Number(importSeconds.toFixed(1)),
      peakMiB,
    };
    console.log(JSON.stringify(result, null, 2));
    const heap = process.env.NODE_OPTIONS?.match(/--max-old-space-size=\d+/)?.[0];
    const command = `${heap ? `NODE_OPTIONS=${heap} ` : ''}npm run bench -- sync --cards ${cards}${days === 7 ? '' : ` --days ${days}`}`;
    writeSection(
      `sync-${cards}`,
      `## Sync: OneLink v2, ${cards.toLocaleString('en')} cards, ${days} days of daily usage

Command: \`${command}\` — machine: ${machine()}, SQLite (WAL), the OneLink v2 simulator in
process at zero latency, no rate limit.${heap ? ` The heap is capped (${heap}) to show the memory the sync needs: uncapped, V8 lets the heap grow lazily and resident memory reads higher.` : ''}

| figure | value |
|---|---|
| supplier calls made (counted by simdock / by the simulator) | ${result.calls} / ${result.simulatorCalls} |
| minimum: ⌈N/100⌉ identity calls + ⌈N/100⌉ × ${days} days | ${minimum} |
| rows written (identities resolved and daily usage) | ${result.rowsWritten.toLocaleString('en')} |
| cards failed | ${result.failed} |
| sync wall time | ${result.seconds} s |
| rows written per second | ${result.rowsPerSecond.toLocaleString('en')} |
| import of the ${cards.toLocaleString('en')} ICCIDs (before the sync) | ${result.importSeconds} s |
| peak resident memory during the sync | ${peakMiB} MiB |`,
    );
    if (result.calls !== minimum) {
      console.error(`calls made (${result.calls}) differ from the minimum (${minimum})`);
      process.exitCode = 1;
    }
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
