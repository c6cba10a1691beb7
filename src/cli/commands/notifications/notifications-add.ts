import { SimdockError } from '../../../domain/index.js';
import type { Severity } from '../../../domain/rules-model.js';
import {
  type ChannelLocale,
  type ChannelType,
  type ChannelView,
  createChannel,
  updateChannel,
} from '../../../services/notifications/notifications-channels.js';
import { storeSecretSealer } from '../../../store/secret-sealer.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

/** The options `add` and `update` share. Secrets come from environment variables, never argv. */
export interface ChannelOptions extends GlobalOptions {
  name?: string;
  locale?: string;
  urlEnv?: string;
  secretEnv?: string;
  passwordEnv?: string;
  smtpHost?: string;
  smtpPort?: number;
  smtpSecure?: boolean;
  smtpUser?: string;
  from?: string;
  to?: string;
  rules?: string;
  minSeverity?: string;
  dailyDigest?: boolean;
  perMinute?: number;
  enabled?: boolean;
  allowPrivate?: boolean;
}

export interface NotificationsAddOptions extends ChannelOptions {
  type: string;
  tenant?: string;
}

function fromEnvironment(io: CommandIo, variable: string | undefined, option: string) {
  if (variable === undefined) return undefined;
  const value = io.environment[variable];
  if (!value) {
    throw new SimdockError(
      'invalid_argument',
      `${option} names ${variable}, which is not set in the environment`,
    );
  }
  return value;
}

/** The secrets named by the options (robot URL and secret, SMTP user and password). */
function secretsOf(options: ChannelOptions, io: CommandIo): Record<string, string> {
  const secrets: Record<string, string> = {};
  const url = fromEnvironment(io, options.urlEnv, '--url-env');
  const secret = fromEnvironment(io, options.secretEnv, '--secret-env');
  const password = fromEnvironment(io, options.passwordEnv, '--password-env');
  if (url !== undefined) secrets.webhookUrl = url;
  if (secret !== undefined) secrets.secret = secret;
  if (options.smtpUser !== undefined) secrets.user = options.smtpUser;
  if (password !== undefined) secrets.password = password;
  return secrets;
}

function emailSettings(options: ChannelOptions) {
  if (options.smtpHost === undefined && options.from === undefined && options.to === undefined) {
    return undefined;
  }
  return {
    host: options.smtpHost,
    port: options.smtpPort ?? (options.smtpSecure ? 465 : 587),
    secure: options.smtpSecure === true,
    from: options.from,
    to: options.to
      ?.split(',')
      .map((address) => address.trim())
      .filter(Boolean),
  };
}

function ruleIds(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '' || value === 'all') return [];
  return value.split(',').map((part) => {
    const id = Number(part.trim());
    if (!Number.isInteger(id) || id < 1) {
      throw new SimdockError('invalid_argument', `--rules: "${part}" is not a rule id`);
    }
    return id;
  });
}

export function printChannel(io: CommandIo, channel: ChannelView): void {
  println(
    io.stdout,
    `channel ${channel.id} "${channel.name}" (${channel.type}, ${channel.locale})`,
  );
  println(io.stdout, `tenant: ${channel.tenant}`);
  for (const [name, value] of Object.entries(channel.settings)) {
    println(io.stdout, `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  }
  for (const [name, value] of Object.entries(channel.secrets)) {
    println(io.stdout, `${name}: ${value}`);
  }
  println(
    io.stdout,
    `routing: ${channel.ruleIds.length ? `rules ${channel.ruleIds.join(', ')}` : 'every rule'}, ` +
      `${channel.minSeverity} and above; ${channel.perMinute} messages a minute at most` +
      `${channel.dailyDigest ? '; daily digest' : ''}${channel.enabled ? '' : ' (disabled)'}`,
  );
}

/** `simdock notifications add TYPE`: a DingTalk, WeCom, Feishu or email channel. */
export async function run(options: NotificationsAddOptions, io: CommandIo): Promise<number> {
  const secrets = secretsOf(options, io);
  return withRuntime(options, io, async ({ context }) => {
    const channel = await createChannel(
      context,
      {
        tenantId: options.tenant ?? 'root',
        name: options.name ?? options.type,
        type: options.type as ChannelType,
        locale: options.locale as ChannelLocale | undefined,
        settings: emailSettings(options),
        secrets,
        ruleIds: ruleIds(options.rules),
        minSeverity: options.minSeverity as Severity | undefined,
        dailyDigest: options.dailyDigest,
        perMinute: options.perMinute,
        enabled: options.enabled,
        createdBy: 'cli',
      },
      {
        allowPrivateTargets: options.allowPrivate === true,
        sealer: storeSecretSealer(context.store),
      },
    );
    if (options.json) printJson(io, channel);
    else printChannel(io, channel);
    return 0;
  });
}

/** `simdock notifications update ID`: changes what is given; secrets named replace the stored ones. */
export async function runUpdate(
  options: ChannelOptions & { id: number },
  io: CommandIo,
): Promise<number> {
  const secrets = secretsOf(options, io);
  return withRuntime(options, io, async ({ context }) => {
    const channel = await updateChannel(
      context,
      options.id,
      null,
      {
        name: options.name,
        locale: options.locale as ChannelLocale | undefined,
        settings: emailSettings(options),
        secrets: Object.keys(secrets).length > 0 ? secrets : undefined,
        ruleIds: ruleIds(options.rules),
        minSeverity: options.minSeverity as Severity | undefined,
        dailyDigest: options.dailyDigest,
        perMinute: options.perMinute,
        enabled: options.enabled,
      },
      {
        allowPrivateTargets: options.allowPrivate === true,
        sealer: storeSecretSealer(context.store),
      },
    );
    if (options.json) printJson(io, channel);
    else printChannel(io, channel);
    return 0;
  });
}

type Command = ReturnType<ParentCommand['command']>;
type Parsed = { optsWithGlobals(): Record<string, unknown> };

/** The options `add` and `update` share. */
function channelOptions(command: Command): Command {
  const positive = wholeNumber('--per-minute');
  return command
    .option('--name <name>')
    .option('--locale <locale>', 'zh-CN or en (default zh-CN)')
    .option(
      '--url-env <var>',
      'environment variable holding the robot webhook URL (it holds the token)',
    )
    .option(
      '--secret-env <var>',
      'environment variable holding the signing secret (DingTalk, Feishu)',
    )
    .option('--smtp-host <host>')
    .option(
      '--smtp-port <port>',
      'SMTP port (default 587, or 465 with --smtp-secure)',
      wholeNumber('--smtp-port'),
    )
    .option('--smtp-secure', 'TLS from the start (port 465)')
    .option('--smtp-user <user>')
    .option('--password-env <var>', 'environment variable holding the SMTP password')
    .option('--from <address>')
    .option('--to <addresses>', 'comma-separated recipients')
    .option('--rules <ids>', 'comma-separated rule ids (default: every rule)')
    .option('--min-severity <severity>', 'info, warning or critical (default info)')
    .option('--daily-digest', 'send the daily digest of cards expiring soon and over quota')
    .option('--no-daily-digest', 'no daily digest')
    .option('--per-minute <n>', 'messages a minute at most (robots: 20)', positive)
    .option('--allow-private', 'allow private, loopback and link-local robot URLs') as Command;
}

/** `simdock notifications add` and `update`. */
export function register(parent: ParentCommand, context: CliContext): void {
  channelOptions(
    parent
      .command('add')
      .description('add a notification channel: dingtalk, wecom, feishu or email')
      .argument('<type>', 'dingtalk, wecom, feishu or email')
      .option('--tenant <id>', 'the tenant whose alerts it receives (default root: every alert)'),
  ).action(async (...args: unknown[]) => {
    const [type, options, command] = args as [string, ChannelOptions, Parsed];
    context.setExitCode(await run({ ...globals(command), type, ...options }, context.io));
  });
  channelOptions(
    parent
      .command('update')
      .description('change a notification channel')
      .argument('<id>', 'channel id', wholeNumber('id'))
      .option('--enable', 'enable the channel')
      .option('--disable', 'disable the channel'),
  ).action(async (...args: unknown[]) => {
    const [id, options, command] = args as [
      number,
      ChannelOptions & { enable?: boolean; disable?: boolean },
      Parsed,
    ];
    const { enable, disable, ...rest } = options;
    context.setExitCode(
      await runUpdate(
        {
          ...globals(command),
          ...rest,
          id,
          enabled: enable ? true : disable ? false : undefined,
        },
        context.io,
      ),
    );
  });
}
