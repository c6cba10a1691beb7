import { Command, CommanderError, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { errorMessage, SimdockError } from '../domain/index.js';
import * as keysCreate from './commands/access/keys-create.js';
import * as tenantsCreate from './commands/access/tenants-create.js';
import * as tenantsList from './commands/access/tenants-list.js';
import * as usersCreate from './commands/access/users-create.js';
import * as accountsList from './commands/accounts/accounts-list.js';
import { registerCardActionCommands } from './commands/bulk/cards-action.js';
import * as jobsCancel from './commands/bulk/jobs-cancel.js';
import * as jobsList from './commands/bulk/jobs-list.js';
import * as jobsShow from './commands/bulk/jobs-show.js';
import { registerOrdersCommands } from './commands/bulk/orders-commands.js';
import * as demo from './commands/demo/demo.js';
import { registerDevicesCommands } from './commands/devices/devices-commands.js';
import * as cardsImport from './commands/inventory/cards-import.js';
import * as cardsList from './commands/inventory/cards-list.js';
import * as cardsShow from './commands/inventory/cards-show.js';
import * as usage from './commands/inventory/usage.js';
import { registerRulesCommands } from './commands/rules/rules-commands.js';
import * as serve from './commands/server/serve.js';
import * as worker from './commands/server/worker.js';
import * as smsInbox from './commands/sms/sms-inbox.js';
import * as smsList from './commands/sms/sms-list.js';
import * as smsSend from './commands/sms/sms-send.js';
import * as sync from './commands/sync/sync.js';
import { registerWebhooksCommands } from './commands/webhooks/webhooks-commands.js';
import { type CommandIo, println, processIo } from './io.js';

const integer = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new InvalidArgumentError(`${name} must be a whole number`);
  }
  return number;
};

/** Builds the `simdock` program; `run` receives each command's result as its exit code. */
export function buildProgram(io: CommandIo, setExitCode: (code: number) => void) {
  const program = new Command('simdock')
    .description('One CLI for every IoT SIM card, whichever supplier it came from.')
    .version('0.1.0')
    .addOption(
      new Option(
        '--config <path>',
        'configuration file (default: $SIMDOCK_CONFIG or ./simdock.yaml)',
      ),
    )
    .addOption(new Option('--json', 'print machine-readable JSON'))
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();

  /** The global options, wherever they were written (before or after the subcommand). */
  const globals = (command: { optsWithGlobals(): Record<string, unknown> }) => {
    const all = command.optsWithGlobals();
    return { config: all.config as string | undefined, json: Boolean(all.json) };
  };
  program
    .command('demo')
    .description(
      'run the built-in supplier simulators, import and sync a demo fleet, and print a summary',
    )
    .option('--cards <n>', 'cards per simulated supplier account', integer('--cards'), 2000)
    .option('--database <url>', 'database for the demo', 'sqlite:./data/simdock.db')
    .option('--port <n>', 'serve the API on this port (default $PORT or 8080)', integer('--port'))
    .option('--once', 'exit after the summary instead of serving the API')
    .action(async (options, command) => {
      setExitCode(
        await demo.run(
          {
            ...globals(command),
            cards: options.cards,
            database: options.database,
            port: options.port,
            once: Boolean(options.once),
          },
          io,
        ),
      );
    });

  const cards = program.command('cards').description('the card inventory');
  cards
    .command('import')
    .description(
      'import cards from a CSV with a header (iccid, msisdn, imsi, imei) or one identifier per line',
    )
    .argument('<file>')
    .requiredOption('--account <id>', 'the supplier account the cards belong to')
    .action(async (file, options, command) => {
      setExitCode(
        await cardsImport.run({ ...globals(command), file, account: options.account }, io),
      );
    });
  cards
    .command('list')
    .description('list cards')
    .option(
      '--status <status>',
      'test, inventory, active, suspended, pre_deactivated, deactivated, unknown',
    )
    .option('--account <id>', 'only this account')
    .option('--search <text>', 'match any identifier')
    .option('--limit <n>', 'cards per page', integer('--limit'), 100)
    .option('--cursor <cursor>', 'continue after a previous page')
    .action(async (options, command) => {
      setExitCode(await cardsList.run({ ...globals(command), ...options }, io));
    });
  cards
    .command('show')
    .description('one card, by ICCID, MSISDN or IMSI')
    .argument('<id>')
    .action(async (id, _options, command) => {
      setExitCode(await cardsShow.run({ ...globals(command), id }, io));
    });
  registerCardActionCommands(cards, io, setExitCode, globals);

  program
    .command('sync')
    .description('sync identities, statuses and usage from the suppliers')
    .option('--account <id>', 'only this account (default: every enabled account)')
    .option('--days <n>', 'complete CST days of daily usage (default 7)', integer('--days'))
    .option('--resume', "continue the account's unfinished run (after a crash) instead of anew")
    .action(async (options, command) => {
      setExitCode(await sync.run({ ...globals(command), ...options }, io));
    });

  program
    .command('usage')
    .description("a card's daily usage in bytes per CST day")
    .argument('<id>', 'ICCID, MSISDN or IMSI')
    .option('--from <date>', 'first day, YYYY-MM-DD')
    .option('--to <date>', 'last day, YYYY-MM-DD')
    .action(async (id, options, command) => {
      setExitCode(await usage.run({ ...globals(command), id, ...options }, io));
    });

  const accounts = program.command('accounts').description('supplier accounts');
  accounts
    .command('list')
    .description('list supplier accounts')
    .action(async (_options, command) => {
      setExitCode(await accountsList.run(globals(command), io));
    });

  program
    .command('worker')
    .description('run jobs (and the scheduler when this process leads) until SIGINT or SIGTERM')
    .option('--concurrency <n>', 'jobs run at once', integer('--concurrency'), 2)
    .option('--no-schedule', 'never run the scheduler in this process')
    .option('--once', 'run the due jobs (after one scheduler tick when leader) and exit')
    .action(async (options, command) => {
      setExitCode(
        await worker.run(
          {
            ...globals(command),
            concurrency: options.concurrency || 1,
            schedule: options.schedule,
            once: Boolean(options.once),
          },
          io,
        ),
      );
    });

  const jobs = program.command('jobs').description('background jobs');
  jobs
    .command('list')
    .description('list jobs, newest first')
    .option('--state <state>', 'pending, running, succeeded, failed, cancelled')
    .option('--name <name>', 'only jobs of this name')
    .option('--limit <n>', 'jobs to show', integer('--limit'), 50)
    .action(async (options, command) => {
      setExitCode(await jobsList.run({ ...globals(command), ...options }, io));
    });
  jobs
    .command('show')
    .description('one job: payload, progress, result, last error')
    .argument('<id>')
    .action(async (id, _options, command) => {
      setExitCode(await jobsShow.run({ ...globals(command), id }, io));
    });
  jobs
    .command('cancel')
    .description('cancel a pending job, or ask a running one to stop (exit 3 if it had ended)')
    .argument('<id>')
    .action(async (id, _options, command) => {
      setExitCode(await jobsCancel.run({ ...globals(command), id }, io));
    });

  registerDevicesCommands(program, io, setExitCode, globals);
  registerOrdersCommands(program, io, setExitCode, globals);

  const sms = program.command('sms').description('texts to and from cards');
  sms
    .command('send')
    .description('send a text to a card through whichever supplier holds it')
    .argument('<id>', 'ICCID, MSISDN or IMSI')
    .argument('<text>')
    .option('--idempotency-key <key>', 'reuse to retry without sending twice (16 letters/digits)')
    .action(async (id, text, options, command) => {
      setExitCode(await smsSend.run({ ...globals(command), id, text, ...options }, io));
    });
  sms
    .command('list')
    .description("a card's texts both ways, oldest first")
    .argument('<id>', 'ICCID, MSISDN or IMSI')
    .option('--limit <n>', 'texts to show', integer('--limit'), 100)
    .action(async (id, options, command) => {
      setExitCode(await smsList.run({ ...globals(command), id, ...options }, io));
    });
  sms
    .command('pull')
    .description('read the texts cards sent (suppliers that offer a pull) and store them once')
    .requiredOption('--account <id>', 'the supplier account')
    .action(async (options, command) => {
      setExitCode(await smsInbox.run({ ...globals(command), ...options }, io));
    });

  registerRulesCommands(program, io, setExitCode, globals);
  registerWebhooksCommands(program, io, setExitCode, globals);

  program
    .command('serve')
    .description('serve the REST API (OpenAPI at /openapi.json, docs at /docs) until stopped')
    .option('--port <n>', 'port (default $PORT or 8080)', integer('--port'))
    .option('--host <address>', 'address to bind (default 0.0.0.0)')
    .option('--no-worker', 'only serve: leave jobs and the schedule to `simdock worker` processes')
    .option('--processes <n>', 'API processes sharing the port (default 1)', integer('--processes'))
    .action(async (options, command) => {
      setExitCode(await serve.run({ ...globals(command), ...options }, io));
    });

  const users = program.command('users').description('console users');
  users
    .command('create')
    .description('create a console user (owner, admin, operator or viewer)')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--password <password>', 'at least 8 characters')
    .requiredOption('--role <role>', 'owner, admin, operator or viewer')
    .option('--tenant <id>', 'the tenant (default: root, the operator)')
    .action(async (options, command) => {
      setExitCode(await usersCreate.run({ ...globals(command), ...options }, io));
    });

  const keys = program.command('keys').description('API keys');
  keys
    .command('create')
    .description('create an API key; it is printed once')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--role <role>', 'owner, admin, operator or viewer')
    .option('--tenant <id>', 'the tenant (default: root, the operator)')
    .action(async (options, command) => {
      setExitCode(await keysCreate.run({ ...globals(command), ...options }, io));
    });

  const tenants = program
    .command('tenants')
    .description('tenants: the operator, customers, agents');
  tenants
    .command('create')
    .description('create a customer or agent tenant')
    .argument('<id>', 'lower-case letters, digits and -')
    .option('--name <name>', 'display name (default: the id)')
    .option('--kind <kind>', 'customer or agent', 'customer')
    .option('--parent <id>', 'the parent tenant (default: root)')
    .action(async (id, options, command) => {
      setExitCode(await tenantsCreate.run({ ...globals(command), id, ...options }, io));
    });
  tenants
    .command('list')
    .description('list every tenant')
    .action(async (_options, command) => {
      setExitCode(await tenantsList.run(globals(command), io));
    });

  return program;
}

/** Runs the CLI; returns the exit code. Errors become one clear line, never a stack trace. */
export async function main(argv: string[], io: CommandIo = processIo()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (SimdockError.isInstance(error)) {
      println(io.stderr, `simdock: ${error.message}`);
    } else {
      println(io.stderr, `simdock: unexpected error: ${errorMessage(error)}`);
      if (io.environment.SIMDOCK_DEBUG) println(io.stderr, String((error as Error).stack));
      else println(io.stderr, 'simdock: set SIMDOCK_DEBUG=1 to see the stack trace');
    }
    return 1;
  }
}
