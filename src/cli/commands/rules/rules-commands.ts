import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import type { CommandIo } from '../../io.js';
import * as plansAssign from '../plans/plans-assign.js';
import * as plansCreate from '../plans/plans-create.js';
import * as poolsAdd from '../pools/pools-add.js';
import * as poolsCreate from '../pools/pools-create.js';
import * as poolsImport from '../pools/pools-import.js';
import * as poolsList from '../pools/pools-list.js';
import * as poolsShow from '../pools/pools-show.js';
import * as alertsAck from './alerts-ack.js';
import * as alertsList from './alerts-list.js';
import * as rulesCreate from './rules-create.js';
import * as rulesDelete from './rules-delete.js';
import * as rulesList from './rules-list.js';

type Globals = (command: { optsWithGlobals(): Record<string, unknown> }) => {
  config: string | undefined;
  json: boolean;
};

const whole = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new InvalidArgumentError(`${name} must be a whole number`);
  }
  return number;
};

/** Adds `simdock plans create|assign`, `rules create|list|delete`, `alerts list|ack`, `pools …`. */
export function registerRulesCommands(
  // biome-ignore lint/suspicious/noExplicitAny: the program's typed options differ per caller.
  program: Command<any, any, any>,
  io: CommandIo,
  setExitCode: (code: number) => void,
  globals: Globals,
): void {
  const plans = program.command('plans').description('plans: a quota per billing cycle');
  plans
    .command('create')
    .description('create a plan')
    .argument('<name>')
    .option('--quota <size>', 'bytes per cycle: 1048576, 500MB, 1GB (binary units)')
    .option('--cycle-start-day <n>', 'day of month cycles start (default 1: calendar month, CST)')
    .action(async (name, options, command) => {
      setExitCode(await plansCreate.run({ ...globals(command), name, ...options }, io));
    });
  plans
    .command('assign')
    .description('put cards on a plan (and set their expiry date)')
    .argument('<plan>', 'plan id or name')
    .argument('<cards...>', 'ICCIDs, MSISDNs or IMSIs')
    .option('--expires <date>', "the cards' expiry date, YYYY-MM-DD (CST)")
    .action(async (plan, cards, options, command) => {
      setExitCode(await plansAssign.run({ ...globals(command), plan, cards, ...options }, io));
    });

  const rules = program.command('rules').description('rules evaluated after each sync');
  rules
    .command('create')
    .description('create a rule')
    .requiredOption('--kind <kind>', 'usage, anomaly, idle, expiry, imei_changed or status_changed')
    .requiredOption('--scope <scope>', 'card, account, plan or pool')
    .requiredOption('--target <target>', 'the card (ICCID/MSISDN/IMSI), account id, plan or pool')
    .option('--name <name>', 'a name for people')
    .option('--percent <n>', 'usage: at this % of the cycle quota')
    .option('--bytes <size>', 'usage: at this many bytes this cycle (500MB, 1GB)')
    .option('--factor <k>', "anomaly: a day above k × the card's trailing 7-day median")
    .option('--min-bytes <size>', 'anomaly: ignore days below this size')
    .option('--days <n>', 'idle: days without usage; expiry: days before the expiry date')
    .option('--to <statuses>', 'status_changed: only to these statuses (comma-separated)')
    .option('--pause', 'pause the card(s) when the rule fires')
    .option('--resume-next-cycle', 'with --pause: resume them when the next cycle starts')
    .option('--sms <text>', 'send this text to the card when the rule fires')
    .option('--webhook', 'emit an event for webhooks when the rule fires')
    .option('--severity <severity>', 'info, warning or critical (default by kind)')
    .action(async (options, command) => {
      setExitCode(
        await rulesCreate.run(
          { ...globals(command), ...options, severity: options.severity as never },
          io,
        ),
      );
    });
  rules
    .command('list')
    .description('list rules')
    .action(async (_options, command) => {
      setExitCode(await rulesList.run(globals(command), io));
    });
  rules
    .command('delete')
    .description('delete a rule (its alerts are kept)')
    .argument('<id>', 'rule id', whole('id'))
    .action(async (id, _options, command) => {
      setExitCode(await rulesDelete.run({ ...globals(command), id }, io));
    });

  const alerts = program.command('alerts').description('alerts raised by rules and suppliers');
  alerts
    .command('list')
    .description('open alerts (all with --all)')
    .option('--all', 'include acknowledged alerts')
    .option('--card <id>', 'only this card (ICCID, MSISDN or IMSI)')
    .option('--rule <id>', 'only this rule', whole('--rule'))
    .option('--limit <n>', 'alerts per page', whole('--limit'), 100)
    .option('--after <id>', 'alerts after this id', whole('--after'))
    .action(async (options, command) => {
      setExitCode(await alertsList.run({ ...globals(command), ...options }, io));
    });
  alerts
    .command('ack')
    .description('acknowledge alerts')
    .argument('<ids...>', 'alert ids')
    .option('--by <who>', 'who acknowledges (default cli)')
    .action(async (ids, options, command) => {
      const numbers = ids.map((id) => whole('alert id')(id));
      setExitCode(await alertsAck.run({ ...globals(command), ids: numbers, ...options }, io));
    });

  const pools = program.command('pools').description('pools of cards sharing a quota');
  pools
    .command('list')
    .description('list pools')
    .option('--account <id>', 'only this account')
    .action(async (options, command) => {
      setExitCode(await poolsList.run({ ...globals(command), ...options }, io));
    });
  pools
    .command('show')
    .description("a pool's usage this cycle and the day it runs out at the current rate")
    .argument('<pool>', 'pool id or name')
    .action(async (pool, _options, command) => {
      setExitCode(await poolsShow.run({ ...globals(command), pool }, io));
    });
  pools
    .command('create')
    .description('create a pool')
    .argument('<name>')
    .option('--quota <size>', 'the pool quota per cycle (10GB)')
    .option('--account <id>', 'the account the pool belongs to')
    .option('--cycle-start-day <n>', 'day of month cycles start (default 1)')
    .action(async (name, options, command) => {
      setExitCode(await poolsCreate.run({ ...globals(command), name, ...options }, io));
    });
  pools
    .command('add')
    .description('add cards to a pool')
    .argument('<pool>', 'pool id or name')
    .argument('<cards...>', 'ICCIDs, MSISDNs or IMSIs')
    .action(async (pool, cards, _options, command) => {
      setExitCode(await poolsAdd.run({ ...globals(command), pool, cards }, io));
    });
  pools
    .command('import')
    .description("import a Quectel account's billing groups as pools")
    .requiredOption('--account <id>', 'the Quectel account')
    .action(async (options, command) => {
      setExitCode(await poolsImport.run({ ...globals(command), ...options }, io));
    });
}
