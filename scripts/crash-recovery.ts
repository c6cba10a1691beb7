/**
 * `npm run test:crash [-- --kills 20 --cards 10000 --days 2 --latency 20 --seed 1]`: issue
 * 9.3's crash-recovery run against PostgreSQL (SIMDOCK_TEST_DATABASE_URL). Prints its figures
 * and exits 1 when any check fails.
 */
import { parseArgs } from 'node:util';
import { runCrashRecovery } from './crash-recovery-run.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    cards: { type: 'string', default: '10000' },
    days: { type: 'string', default: '2' },
    latency: { type: 'string', default: '20' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
  },
});
if (!process.env.SIMDOCK_TEST_DATABASE_URL) {
  console.error('set SIMDOCK_TEST_DATABASE_URL to a PostgreSQL database the run may use');
  process.exit(2);
}
const figures = await runCrashRecovery({
  kills: Number(values.kills),
  cards: Number(values.cards),
  days: Number(values.days),
  latencyMs: Number(values.latency),
  seed: Number(values.seed),
  log: (line) => console.log(line),
});
console.log(JSON.stringify({ seed: Number(values.seed), ...figures }, null, 2));
const problems = [
  figures.runsSucceeded !== figures.runs && 'a run did not succeed',
  figures.finishedBatchesRepeated > 0 && 'a finished batch was fetched again',
  figures.duplicateUsageRows > 0 && 'a usage row was written twice',
  figures.jobsUnfinished > 0 && 'a job was left unfinished',
].filter(Boolean);
for (const problem of problems) console.error(`FAILED: ${problem}`);
process.exitCode = problems.length > 0 ? 1 : 0;
