import { SimdockError } from '../../../domain/index.js';
import {
  isRuleKind,
  isRuleScope,
  RULE_KINDS,
  RULE_SCOPES,
  type RuleAction,
  type RuleScope,
  type Severity,
} from '../../../domain/rules-model.js';
import type { ServiceContext } from '../../../services/context.js';
import { PlansRepository } from '../../../store/repositories/plans-repository.js';
import { PoolsRepository } from '../../../store/repositories/pools-repository.js';
import { RulesRepository } from '../../../store/repositories/rules-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { describeRule } from './rules-list.js';
import { parseByteSize, parseNumber, resolveCardIds } from './rules-options.js';

export interface RulesCreateOptions extends GlobalOptions {
  kind: string;
  scope: string;
  /** Card identifier, account id, plan or pool (id or name). */
  target: string;
  name?: string;
  percent?: string;
  bytes?: string;
  factor?: string;
  minBytes?: string;
  days?: string;
  /** Comma-separated statuses (status_changed). */
  to?: string;
  pause?: boolean;
  resumeNextCycle?: boolean;
  sms?: string;
  webhook?: boolean;
  severity?: Severity;
}

async function targetId(context: ServiceContext, scope: RuleScope, target: string) {
  const now = () => context.clock.now();
  switch (scope) {
    case 'card':
      return (await resolveCardIds(context, [target]))[0]!;
    case 'account':
      return target;
    case 'plan':
      return (await new PlansRepository(context.store, now).require(target)).id;
    case 'pool':
      return (await new PoolsRepository(context.store, now).require(target)).id;
  }
}

/** The kind's thresholds from its flags. */
function thresholdsOf(kind: string, options: RulesCreateOptions): Record<string, unknown> {
  const number = (value: string | undefined, flag: string) =>
    value === undefined ? undefined : parseNumber(value, flag);
  const thresholds: Record<string, unknown> = {
    usage: {
      percent: number(options.percent, '--percent'),
      bytes: options.bytes === undefined ? undefined : parseByteSize(options.bytes, '--bytes'),
      resumeNextCycle: options.resumeNextCycle,
    },
    anomaly: {
      factor: number(options.factor, '--factor'),
      minBytes:
        options.minBytes === undefined ? undefined : parseByteSize(options.minBytes, '--min-bytes'),
    },
    idle: { days: number(options.days, '--days') },
    expiry: { days: number(options.days, '--days') },
    imei_changed: {},
    status_changed: { to: options.to?.split(',').map((status) => status.trim()) },
  }[kind] as Record<string, unknown>;
  return Object.fromEntries(Object.entries(thresholds).filter(([, value]) => value !== undefined));
}

/** `simdock rules create --kind K --scope S --target T [thresholds] [actions]`. */
export async function run(options: RulesCreateOptions, io: CommandIo): Promise<number> {
  if (!isRuleKind(options.kind)) {
    throw new SimdockError(
      'invalid_argument',
      `--kind must be one of ${RULE_KINDS.join(', ')} (got "${options.kind}")`,
    );
  }
  if (!isRuleScope(options.scope)) {
    throw new SimdockError(
      'invalid_argument',
      `--scope must be one of ${RULE_SCOPES.join(', ')} (got "${options.scope}")`,
    );
  }
  const actions: RuleAction[] = [];
  if (options.pause) actions.push({ type: 'pause' });
  if (options.sms !== undefined) actions.push({ type: 'sms', text: options.sms });
  if (options.webhook) actions.push({ type: 'webhook' });
  const kind = options.kind;
  const scope = options.scope;
  return withRuntime(options, io, async ({ context }) => {
    const rule = await new RulesRepository(context.store, () => context.clock.now()).create({
      name: options.name ?? null,
      kind,
      scope,
      targetId: await targetId(context, scope, options.target),
      thresholds: thresholdsOf(kind, options),
      actions,
      ...(options.severity ? { severity: options.severity } : {}),
      createdBy: 'cli',
    });
    if (options.json) printJson(io, rule);
    else println(io.stdout, `Created rule ${rule.id}: ${describeRule(rule)}.`);
    return 0;
  });
}

/** `simdock rules create`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
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
      context.setExitCode(
        await run(
          { ...globals(command), ...options, severity: options.severity as never },
          context.io,
        ),
      );
    });
}
