/**
 * `npm run test:crash [-- --sync | --bulk] [--kills 20 --cards 10000 --days 2 --latency 20
 * --bulk-cards 10000 --job-size 2000 --settle 300 --seed 1]`: issue 9.3's crash-recovery runs
 * against PostgreSQL (SIMDOCK_TEST_DATABASE_URL): SIGKILLs during a sync, then during bulk
 * pause jobs (both unless one is named). Prints the figures, writes them to the "Crash recovery"
 * sections of docs/performance.md and exits 1 when any check fails.
 */
import { parseArgs } from 'node:util';
import { machine, writeSection } from '../bench/report.js';
import { type BulkCrashFigures, runBulkCrashRecovery } from './crash-recovery-bulk.js';
import { type CrashRecoveryFigures, runCrashRecovery } from './crash-recovery-run.js';

const { values } = parseArgs({
  options: {
    sync: { type: 'boolean', default: false },
    bulk: { type: 'boolean', default: false },
    kills: { type: 'string', default: '20' },
    cards: { type: 'string', default: '10000' },
    days: { type: 'string', default: '2' },
    latency: { type: 'string', default: '20' },
    'bulk-cards': { type: 'string', default: '10000' },
    'job-size': { type: 'string', default: '2000' },
    settle: { type: 'string', default: '300' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
  },
});
if (!process.env.SIMDOCK_TEST_DATABASE_URL) {
  console.error('set SIMDOCK_TEST_DATABASE_URL to a PostgreSQL database the run may use');
  process.exit(2);
}
const both = values.sync === values.bulk;
const seed = Number(values.seed);
const kills = Number(values.kills);
const latencyMs = Number(values.latency);
const problems: string[] = [];
/** What each figure means, as the report's first column. */
const LABELS: Record<string, string> = {
  kills: 'SIGKILLs of the worker',
  killsMidSync: 'kills that landed mid-sync (the rest between runs)',
  runs: 'sync runs',
  runsSucceeded: 'sync runs succeeded',
  calls: 'supplier calls answered by the simulator',
  minimumCalls: 'minimum calls for those runs',
  repeatedCalls: 'calls made twice (batches in flight or not yet stored at a kill)',
  finishedBatchesRepeated: 'finished batches fetched again',
  usageRows: 'daily usage rows',
  duplicateUsageRows: 'usage rows written twice',
  jobsUnfinished: 'queue jobs left pending or running',
  jobsFailedThenResumed: 'slice jobs whose attempts ran out, resumed by the next sync job',
  killsMidJob: 'kills that landed while a bulk job ran',
  jobs: 'bulk pause jobs',
  jobsFinished: 'bulk jobs finished (succeeded or partial)',
  jobRuns: 'bulk job runs (first runs, resumes after kills, closing re-runs)',
  cards: 'cards in the jobs',
  stopCalls: 'stop calls answered by the simulator',
  cardsSent: 'card places in those stop calls',
  cardsActedOnTwice: 'cards named in two stop calls (acted on twice)',
  extraStopRecords: 'second stops recorded by the simulator',
  cardsStopped: 'cards of the jobs stopped at the simulator at the end',
  itemsDone: 'items done',
  itemsSkipped: 'items skipped',
  itemsConfirmedByStatusRead: 'items left sending by a kill and confirmed by a status read',
  itemsUnconfirmedBeforeRerun: 'items failed unconfirmed after the kills (before the re-run)',
  itemsFailed: 'items failed at the end',
  queueJobsUnfinished: 'queue jobs left pending or running',
  seconds: 'wall time, s',
};
const table = (figures: object) =>
  `| figure | value |\n|---|---|\n${Object.entries(figures)
    .filter(([, value]) => typeof value !== 'object')
    .map(
      ([name, value]) =>
        `| ${LABELS[name] ?? name} | ${typeof value === 'number' ? value.toLocaleString('en') : value} |`,
    )
    .join('\n')}`;

if (both || values.sync) {
  const command = `npm run test:crash -- --sync --kills ${kills} --cards ${values.cards} --days ${values.days} --latency ${latencyMs} --seed ${seed}`;
  const figures = await runCrashRecovery({
    kills,
    cards: Number(values.cards),
    days: Number(values.days),
    latencyMs,
    seed,
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify({ seed, ...figures }, null, 2));
  const found = syncProblems(figures);
  problems.push(...found);
  writeSection(
    'crash-recovery-sync',
    `## Crash recovery: SIGKILL of the worker during a sync

Command: \`${command}\` — machine: ${machine()}, PostgreSQL 15 on loopback. A \`simdock worker\`
process (graphile-worker queue) syncs ${Number(values.cards).toLocaleString('en')} OneLink v2
cards (${values.days} days of daily usage) from the simulator served over HTTP (${latencyMs} ms
a call); it is killed with SIGKILL ${kills} times at random points (200–2000 ms after it
started) and restarted each time; a run that closed is followed by a new one. Then: every run
closed, no finished batch fetched again, no usage row twice, no job left unfinished. Calls made
twice are only the batches in flight, or answered and not yet stored (a slice stores its batches
together), when a worker died.

${table(figures)}
| checks | ${found.length === 0 ? 'all passed' : `FAILED: ${found.join('; ')}`} |`,
  );
}

if (both || values.bulk) {
  const options = {
    kills,
    cards: Number(values['bulk-cards']),
    jobSize: Number(values['job-size']),
    latencyMs,
    settleDelayMs: Number(values.settle),
    seed,
  };
  const command = `npm run test:crash -- --bulk --kills ${kills} --bulk-cards ${options.cards} --job-size ${options.jobSize} --latency ${latencyMs} --settle ${options.settleDelayMs} --seed ${seed}`;
  const figures = await runBulkCrashRecovery({ ...options, log: (line) => console.log(line) });
  console.log(JSON.stringify({ seed, ...figures }, null, 2));
  const found = bulkProblems(figures);
  problems.push(...found);
  writeSection(
    'crash-recovery-bulk',
    `## Crash recovery: SIGKILL of the worker during a bulk pause

Command: \`${command}\` — machine: ${machine()}, PostgreSQL 15 on loopback. A \`simdock worker\`
process runs bulk pause jobs of ${options.jobSize.toLocaleString('en')} agent cards each (one
after another, up to ${options.cards.toLocaleString('en')} cards) against the agent simulator
served over HTTP (${latencyMs} ms a call; a stop settles ${options.settleDelayMs} ms after it
is accepted, the adapter follows it by its operation records). The worker is killed with SIGKILL
${kills} times at random points and restarted; the lease sweep fails the dead worker's queue job
(bulk jobs get one attempt) and the bulk job is started again, which reads back the cards left
\`sending\` instead of sending them again. At the end every job is run once more (a finished
job retries its failed cards only, reading their status first). Stop calls are counted per card
at the simulator: a card named in two stop calls is a card acted on twice.

${table(figures)}
| checks | ${found.length === 0 ? 'all passed' : `FAILED: ${found.join('; ')}`} |

Failures and skips by reason (every job):

| state | code | message | cards |
|---|---|---|---|
${figures.reasons.map((reason) => `| ${reason.state} | ${reason.code ?? ''} | ${reason.message ?? ''} | ${reason.count} |`).join('\n')}`,
  );
}

for (const problem of problems) console.error(`FAILED: ${problem}`);
process.exitCode = problems.length > 0 ? 1 : 0;

function syncProblems(figures: CrashRecoveryFigures): string[] {
  return [
    figures.runsSucceeded !== figures.runs && 'a run did not succeed',
    figures.finishedBatchesRepeated > 0 && 'a finished batch was fetched again',
    figures.duplicateUsageRows > 0 && 'a usage row was written twice',
    figures.jobsUnfinished > 0 && 'a job was left unfinished',
  ].filter((problem): problem is string => typeof problem === 'string');
}

function bulkProblems(figures: BulkCrashFigures): string[] {
  return [
    figures.cardsActedOnTwice > 0 && 'a card was named in two stop calls',
    figures.extraStopRecords > 0 && 'the simulator recorded a second stop of a card',
    figures.jobsFinished !== figures.jobs && 'a bulk job did not finish',
    figures.queueJobsUnfinished > 0 && 'a queue job was left unfinished',
    figures.itemsDone + figures.itemsSkipped + figures.itemsFailed !== figures.cards &&
      'a card of a job was left unsettled',
  ].filter((problem): problem is string => typeof problem === 'string');
}
