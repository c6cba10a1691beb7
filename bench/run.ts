/**
 * `npm run bench -- <name> [options]`: runs one benchmark, prints its figures and rewrites its
 * section of docs/performance.md. `npm run bench` alone runs the suite (suite.ts).
 */
import { parseArgs } from 'node:util';
import { benchApi } from './api-bench.js';
import { benchCalls } from './calls-bench.js';
import { benchCallsPerDay } from './calls-per-day-bench.js';
import { benchConsole } from './console-bench.js';
import { benchDay } from './day-bench.js';
import { benchExport } from './export-bench.js';
import { benchFreshness } from './freshness-bench.js';
import { benchPlans } from './plans-bench.js';
import { benchStats } from './stats-bench.js';
import { benchStatsSync } from './stats-sync-bench.js';
import { benchStorage } from './storage-bench.js';
import { runSuite } from './suite.js';
import { benchSupplier } from './supplier-bench.js';
import { benchSync } from './sync-bench.js';

const benchmarks: Record<string, (args: string[]) => Promise<void>> = {
  api: benchApi,
  calls: benchCalls,
  'calls-per-day': benchCallsPerDay,
  day: benchDay,
  sync: benchSync,
  supplier: benchSupplier,
  console: benchConsole,
  freshness: benchFreshness,
  storage: benchStorage,
  stats: benchStats,
  'stats-sync': benchStatsSync,
  export: benchExport,
  plans: benchPlans,
};

const [name, ...rest] = process.argv.slice(2);
const { values } = parseArgs({ args: rest, options: { help: { type: 'boolean' } }, strict: false });
const benchmark = name ? benchmarks[name] : undefined;
if (name === undefined && !values.help) {
  await runSuite();
} else if (!benchmark || values.help) {
  console.error(`usage: npm run bench [-- <${Object.keys(benchmarks).join('|')}> [options]]`);
  process.exitCode = 2;
} else {
  await benchmark(rest);
}
