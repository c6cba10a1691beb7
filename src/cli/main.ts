import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { errorMessage, SimdockError } from '../domain/index.js';
import type { CommandModule } from './command-kit.js';
import * as access from './commands/access/access-commands.js';
import * as accounts from './commands/accounts/accounts-commands.js';
import * as jobs from './commands/bulk/jobs-commands.js';
import * as orders from './commands/bulk/orders-commands.js';
import * as demo from './commands/demo/demo.js';
import * as devices from './commands/devices/devices-commands.js';
import * as cards from './commands/inventory/cards-commands.js';
import * as usage from './commands/inventory/usage.js';
import * as notifications from './commands/notifications/notifications-commands.js';
import * as plans from './commands/plans/plans-commands.js';
import * as pools from './commands/pools/pools-commands.js';
import * as rules from './commands/rules/rules-commands.js';
import * as mcp from './commands/server/mcp.js';
import * as serve from './commands/server/serve.js';
import * as worker from './commands/server/worker.js';
import * as sms from './commands/sms/sms-commands.js';
import * as stats from './commands/stats/stats-commands.js';
import * as sync from './commands/sync/sync.js';
import * as webhooks from './commands/webhooks/webhooks-commands.js';
import { type CommandIo, println, processIo } from './io.js';

/** Every command and group of commands, in the order `simdock --help` lists them. */
const COMMANDS: CommandModule[] = [
  demo,
  cards,
  sync,
  usage,
  accounts,
  worker,
  jobs,
  devices,
  orders,
  sms,
  plans,
  rules,
  pools,
  webhooks,
  notifications,
  stats,
  serve,
  mcp,
  access,
];

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
  for (const command of COMMANDS) command.register(program, { io, setExitCode });
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
