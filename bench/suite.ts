import { benchApi } from './api-bench.js';
import { benchCalls } from './calls-bench.js';
import { benchStorage } from './storage-bench.js';
import { benchSync } from './sync-bench.js';

/**
 * The benchmarks `npm run bench` runs with no arguments, at sizes that fit about 15 minutes on
 * a 2-core machine; each rewrites its own section of docs/performance.md. The console
 * benchmark needs chromium and a built console, so it runs only by name.
 */
export const SUITE: { name: string; args: string[]; run: (args: string[]) => Promise<void> }[] = [
  { name: 'api', args: ['--cards', '1000000', '--seconds', '5'], run: benchApi },
  {
    name: 'calls',
    args: ['--cards', '1000000', '--per-card-cards', '20000'],
    run: benchCalls,
  },
  { name: 'sync', args: ['--cards', '100000'], run: benchSync },
  { name: 'storage', args: ['--cards', '20000', '--days', '3'], run: benchStorage },
];

/** Runs every benchmark of the suite in turn; a failed one is reported and the rest still run. */
export async function runSuite(): Promise<void> {
  for (const entry of SUITE) {
    const started = performance.now();
    console.log(`== npm run bench -- ${entry.name} ${entry.args.join(' ')}`);
    try {
      await entry.run(entry.args);
    } catch (error) {
      console.error(`${entry.name} failed:`, error);
      process.exitCode = 1;
    }
    console.log(`== ${entry.name}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
}
