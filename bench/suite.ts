import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchApi } from './api-bench.js';
import { benchCalls } from './calls-bench.js';
import { benchStorage } from './storage-bench.js';
import { benchSupplier } from './supplier-bench.js';
import { benchSync } from './sync-bench.js';

const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));

/**
 * The benchmarks `npm run bench` runs with no arguments, at sizes that fit about 15 minutes on
 * a 2-core machine; each rewrites its own section of docs/performance.md. Storage measures
 * PostgreSQL too when SIMDOCK_TEST_DATABASE_URL is set. Run only by name: the console benchmark
 * (it needs chromium and a built console) and the 1,000,000-card sync (about 6 minutes alone:
 * `npm run bench -- sync --cards 1000000`); the crash-recovery runs are `npm run test:crash`.
 */
export const SUITE: { name: string; args: string[]; run: (args: string[]) => Promise<void> }[] = [
  { name: 'api', args: ['--cards', '1000000', '--seconds', '5'], run: benchApi },
  {
    name: 'calls',
    args: ['--cards', '1000000', '--per-card-cards', '20000'],
    run: benchCalls,
  },
  { name: 'sync', args: ['--cards', '100000'], run: benchSync },
  {
    name: 'supplier',
    // Achieved vs configured call rate, through the token bucket of a one-card-per-call need.
    args: ['--supplier', 'm2m10086', '--need', 'monthly', '--cards', '10000', '--rate', '200'],
    run: benchSupplier,
  },
  { name: 'storage', args: ['--cards', '20000', '--days', '3'], run: benchStorage },
];

/**
 * Runs every benchmark of the suite in turn, each in a Node process of its own (`bench/run.ts
 * <name>`), so each one's peak memory is its own and not what the ones before it left behind; a
 * failed one is reported and the rest still run.
 */
export async function runSuite(): Promise<void> {
  const started = performance.now();
  for (const entry of SUITE) {
    const began = performance.now();
    console.log(`== npm run bench -- ${entry.name} ${entry.args.join(' ')}`);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', RUN, entry.name, ...entry.args], {
        stdio: 'inherit',
      });
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0) {
      console.error(`${entry.name} exited with ${code}`);
      process.exitCode = 1;
    }
    console.log(`== ${entry.name}: ${((performance.now() - began) / 1000).toFixed(0)} s`);
  }
  console.log(`== suite: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
