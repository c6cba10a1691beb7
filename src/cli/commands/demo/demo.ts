import { randomBytes } from 'node:crypto';
import { ApiKeysRepository } from '../../../services/access/access-keys.js';
import { UsersRepository } from '../../../services/access/access-users.js';
import { type ServiceContext, saveAccounts } from '../../../services/context.js';
import { startDemoSuppliers, stopDemoSuppliers } from '../../../services/demo/demo.js';
import { syncDevices } from '../../../services/devices/devices-service.js';
import { importCards } from '../../../services/inventory/card-import.js';
import { type SyncSummary, syncAccount } from '../../../services/sync/sync.js';
import {
  ROOT_TENANT_ID,
  TenantsRepository,
} from '../../../store/repositories/tenants-repository.js';
import { hasDeviceOperations } from '../../../suppliers/spec/index.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { syncProgressReporter } from '../../progress.js';
import { type GlobalOptions, openRuntime } from '../../runtime.js';
import { resolvePort, serveApi } from '../server/serve.js';
import { seedDemoPlan } from './demo-plans.js';

export interface DemoOptions extends GlobalOptions {
  cards: number;
  database: string;
  /** Serve the API on this port after the summary (default `PORT`, else 8080). */
  port?: number;
  /** Exit after the summary instead of serving the API (tests, CI). */
  once?: boolean;
  /** Stops serving when aborted (tests); otherwise Ctrl-C does. */
  abortSignal?: AbortSignal;
  /** Called once the API listens, with its URL (tests). */
  onListening?: (url: string) => void;
}

/** The demo's console user: created with a generated password, renewed on every demo run. */
export const DEMO_USER_EMAIL = 'admin@demo.local';

/**
 * A ready console login and API key for the demo: the user `admin@demo.local` (created if
 * absent, else given a new generated password, since only its hash is kept) and a new owner key.
 */
async function demoCredentials(context: ServiceContext) {
  const password = randomBytes(12).toString('base64url');
  await new TenantsRepository(context.store).root();
  const users = new UsersRepository(context.store);
  if (await users.findByEmail(DEMO_USER_EMAIL)) await users.setPassword(DEMO_USER_EMAIL, password);
  else {
    await users.create({
      email: DEMO_USER_EMAIL,
      password,
      role: 'owner',
      tenantId: ROOT_TENANT_ID,
    });
  }
  const { key } = await new ApiKeysRepository(context.store).create({
    name: 'demo',
    role: 'owner',
    tenantId: ROOT_TENANT_ID,
    createdBy: 'demo',
  });
  return { email: DEMO_USER_EMAIL, password, apiKey: key };
}

/**
 * Saves the simulated accounts, imports the cards of suppliers that cannot list their fleet,
 * syncs every account (and its devices, where it has some). Returns each account's sync summary.
 */
async function syncDemoFleet(
  context: ServiceContext,
  suppliers: Awaited<ReturnType<typeof startDemoSuppliers>>,
  io: CommandIo,
  json: boolean,
): Promise<SyncSummary[]> {
  const say = (text: string) => {
    if (!json) println(io.stdout, text);
  };
  await saveAccounts(
    context.store,
    context.catalog,
    suppliers.map((supplier) => supplier.account),
  );
  const summaries: SyncSummary[] = [];
  const reporter = syncProgressReporter(io, !json);
  for (const supplier of suppliers) {
    const accountId = supplier.account.id;
    if (supplier.importLines.length > 0) {
      const imported = await importCards(
        context,
        accountId,
        supplier.importLines.join('\n'),
        'demo',
      );
      say(
        `  ${accountId}: imported ${imported.inserted} cards (${imported.existing} already there)`,
      );
    }
    summaries.push(
      await syncAccount(context, accountId, { onProgress: reporter.update, actor: 'demo' }),
    );
    reporter.stop();
    if (hasDeviceOperations(await context.adapter(accountId))) {
      const devices = await syncDevices(context, accountId, { actor: 'demo' });
      say(`  ${accountId}: ${devices.synced} of ${devices.devices} devices synced`);
    }
  }
  return summaries;
}

/** The table of what each account's sync did, and commands to try next. */
function printDemoSummary(
  say: (text: string) => void,
  summaries: SyncSummary[],
  database: string,
): void {
  say('');
  say(
    formatTable(
      ['ACCOUNT', 'SUPPLIER', 'CARDS', 'SYNCED', 'FAILED', 'CALLS', 'ROWS', 'SECONDS'],
      summaries.map((summary) => [
        summary.account,
        summary.supplier,
        summary.cards,
        summary.synced,
        summary.failed,
        summary.calls,
        summary.rowsWritten,
        (summary.durationMs / 1000).toFixed(1),
      ]),
    ),
  );
  say('');
  say(`Demo fleet synced into ${database}. Try:`);
  say('  npx simdock cards list --limit 5');
  say('  npx simdock cards show 898602B2221340000878 --json');
  say('  npx simdock usage 898602B2221340000878');
}

/**
 * The demo: simulators on loopback with a seeded fleet, demo accounts, an import, a first sync
 * and a summary. Re-running it is safe: imports and usage writes are idempotent.
 */
export async function run(options: DemoOptions, io: CommandIo): Promise<number> {
  const say = (text: string) => {
    if (!options.json) println(io.stdout, text);
  };
  const port = resolvePort(options.port, io);
  say(`simdock demo: starting supplier simulators with ${options.cards} cards each…`);
  const suppliers = await startDemoSuppliers(options.cards);
  // The demo talks to a person: only warnings and errors are logged unless SIMDOCK_LOG_LEVEL says
  // otherwise; /metrics answers as under `serve`.
  const runtime = await openRuntime({ config: options.config }, io, {
    database: options.database,
    logs: { logLevel: io.environment.SIMDOCK_LOG_LEVEL ?? 'warn' },
  });
  try {
    const { context } = runtime;
    const summaries = await syncDemoFleet(context, suppliers, io, options.json === true);
    const demoPlan = await seedDemoPlan(
      context,
      suppliers.map((supplier) => supplier.account.id),
    );
    say(
      `  plan ${demoPlan.plan.name}: given to ${demoPlan.assigned} more cards, with expiry dates over the next 90 days`,
    );
    if (options.json) {
      const credentials = options.once ? null : await demoCredentials(context);
      printJson(io, {
        database: options.database,
        accounts: summaries,
        plan: { ...demoPlan.plan, assigned: demoPlan.assigned },
        login: credentials,
      });
      if (options.once) return 0;
      await serveApi(context, { port, abortSignal: options.abortSignal }, (url) =>
        options.onListening?.(url),
      );
      return 0;
    }
    printDemoSummary(say, summaries, options.database);
    const exitCode = summaries.some((summary) => summary.status === 'failed') ? 4 : 0;
    if (options.once) return exitCode;
    const credentials = await demoCredentials(context);
    await serveApi(context, { port, abortSignal: options.abortSignal }, (url) => {
      say('');
      say(`API and console on ${url} (OpenAPI ${url}/openapi.json, docs ${url}/docs)`);
      say(`  console login: ${credentials.email} / ${credentials.password}`);
      say(`  API key (owner, shown once): ${credentials.apiKey}`);
      say(`  curl -H 'Authorization: Bearer ${credentials.apiKey}' ${url}/api/v1/cards?limit=5`);
      say('Serving until stopped (Ctrl-C).');
      options.onListening?.(url);
    });
    return exitCode;
  } finally {
    await runtime.close();
    await stopDemoSuppliers(suppliers);
  }
}

/** `simdock demo`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('demo')
    .description(
      'run the built-in supplier simulators, import and sync a demo fleet, and print a summary',
    )
    .option('--cards <n>', 'cards per simulated supplier account', wholeNumber('--cards'), 2000)
    .option('--database <url>', 'database for the demo', 'sqlite:./data/simdock.db')
    .option(
      '--port <n>',
      'serve the API on this port (default $PORT or 8080)',
      wholeNumber('--port'),
    )
    .option('--once', 'exit after the summary instead of serving the API')
    .action(async (options, command) => {
      context.setExitCode(
        await run(
          {
            ...globals(command),
            cards: options.cards,
            database: options.database,
            port: options.port,
            once: Boolean(options.once),
          },
          context.io,
        ),
      );
    });
}
