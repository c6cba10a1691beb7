import { importCards } from '../../services/card-import.js';
import { saveAccounts } from '../../services/context.js';
import { startDemoSuppliers, stopDemoSuppliers } from '../../services/demo.js';
import { attachDeviceSecretsFromEnvironment, syncDevices } from '../../services/devices-service.js';
import { type SyncSummary, syncAccount } from '../../services/sync.js';
import { hasDeviceOperations } from '../../suppliers/spec/index.js';
import { type CommandIo, formatTable, printJson, println } from '../io.js';
import { syncProgressReporter } from '../progress.js';
import { type GlobalOptions, openRuntime } from '../runtime.js';

export interface DemoOptions extends GlobalOptions {
  cards: number;
  database: string;
}

/**
 * The demo: simulators on loopback with a seeded fleet, demo accounts, an import, a first sync
 * and a summary. Re-running it is safe: imports and usage writes are idempotent.
 */
export async function run(options: DemoOptions, io: CommandIo): Promise<number> {
  const say = (text: string) => {
    if (!options.json) println(io.stdout, text);
  };
  say(`simdock demo: starting supplier simulators with ${options.cards} cards each…`);
  const suppliers = await startDemoSuppliers(options.cards);
  const runtime = await openRuntime({ config: options.config }, io, { database: options.database });
  try {
    const { context } = runtime;
    await saveAccounts(
      context.store,
      context.catalog,
      suppliers.map((supplier) => supplier.account),
    );
    const summaries: SyncSummary[] = [];
    const reporter = syncProgressReporter(io, !options.json);
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
        attachDeviceSecretsFromEnvironment(context.store, io.environment);
        const devices = await syncDevices(context, accountId, { actor: 'demo' });
        say(`  ${accountId}: ${devices.synced} of ${devices.devices} devices synced`);
      }
    }
    if (options.json) {
      printJson(io, { database: options.database, accounts: summaries });
      return 0;
    }
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
    say(`Demo fleet synced into ${options.database}. Try:`);
    say('  npx simdock cards list --limit 5');
    say('  npx simdock cards show 898602B2221340000878 --json');
    say('  npx simdock usage 898602B2221340000878');
    return summaries.some((summary) => summary.status === 'failed') ? 4 : 0;
  } finally {
    await runtime.close();
    await stopDemoSuppliers(suppliers);
  }
}
