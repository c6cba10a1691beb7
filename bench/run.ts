/**
 * `npm run bench -- <name> [options]`: runs one benchmark, prints its figures and rewrites its
 * section of docs/performance.md.
 */
import { parseArgs } from 'node:util';
import { benchApi } from './api-bench.js';
import { benchCalls } from './calls-bench.js';
import { benchConsole } from './console-bench.js';
import { benchStorage } from './storage-bench.js';
import { benchSupplier } from './supplier-bench.js';
import { benchSync } from './sync-bench.js';

const benchmarks: Record<string, (args: string[]) => Promise<void>> = {
  api: benchApi,
  calls: benchCalls,
  sync: benchSync,
  supplier: benchSupplier,
  console: benchConsole,
  storage: benchStorage,
};

const [name, ...rest] = process.argv.slice(2);
const { values } = parseArgs({ args: rest, options: { help: { type: 'boolean' } }, strict: false });
const benchmark = name ? benchmarks[name] : undefined;
if (!benchmark || values.help) {
  console.error(`usage: npm run bench -- <${Object.keys(benchmarks).join('|')}> [options]`);
  process.exitCode = 2;
} else {
  await benchmark(rest);
}
