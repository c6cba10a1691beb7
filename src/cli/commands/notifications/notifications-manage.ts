import { SimdockError } from '../../../domain/index.js';
import {
  listChannels,
  repository,
} from '../../../services/notifications/notifications-channels.js';
import {
  resendMessage,
  sendTestMessage,
} from '../../../services/notifications/notifications-delivery.js';
import type {
  NotificationAttempt,
  NotificationMessage,
  NotificationMessageState,
} from '../../../store/repositories/notifications-repository.js';
import { storeSecretSealer } from '../../../store/secret-sealer.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

const STATES: readonly NotificationMessageState[] = ['pending', 'succeeded', 'failed'];
const instant = (value: number | null) => (value === null ? null : new Date(value).toISOString());

/** `simdock notifications list`: every channel, secrets masked. */
export async function runList(options: GlobalOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const channels = await listChannels(context, null, {
      sealer: storeSecretSealer(context.store),
    });
    if (options.json) {
      printJson(io, { channels });
      return 0;
    }
    if (channels.length === 0) {
      println(io.stdout, 'no notification channels');
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        [
          'ID',
          'NAME',
          'TYPE',
          'TENANT',
          'LOCALE',
          'TARGET',
          'RULES',
          'SEVERITY',
          'DAILY',
          'ENABLED',
        ],
        channels.map((channel) => [
          channel.id,
          channel.name,
          channel.type,
          channel.tenant,
          channel.locale,
          String(
            channel.settings.target ??
              (channel.settings.to as string[] | undefined)?.join(',') ??
              '',
          ),
          channel.ruleIds.length ? channel.ruleIds.join(',') : 'all',
          channel.minSeverity,
          channel.dailyDigest ? 'yes' : 'no',
          channel.enabled ? 'yes' : 'no',
        ]),
      ),
    );
    return 0;
  });
}

function printAttempts(
  io: CommandIo,
  message: NotificationMessage,
  attempts: NotificationAttempt[],
): void {
  println(
    io.stdout,
    `message ${message.id} (${message.kind}, ${message.items} item(s)): ${message.state}` +
      `${message.lastCode !== null ? `, answer code ${message.lastCode}` : ''}` +
      `${message.nextAttemptAt !== null ? `, next attempt ${instant(message.nextAttemptAt)}` : ''}`,
  );
  for (const attempt of attempts) {
    println(
      io.stdout,
      `  ${instant(attempt.at)} ${attempt.manual ? 'by hand ' : ''}` +
        `${attempt.statusCode ?? '-'} ${attempt.answerCode ?? '-'} ${attempt.error ?? attempt.answer ?? ''}`,
    );
  }
}

/** `simdock notifications test ID`: sends a test message now. */
export async function runTest(
  options: GlobalOptions & { id: number; allowPrivate?: boolean },
  io: CommandIo,
) {
  return withRuntime(options, io, async ({ context }) => {
    const result = await sendTestMessage(context, options.id, null, {
      sealer: storeSecretSealer(context.store),
      allowPrivateTargets: options.allowPrivate === true,
    });
    if (options.json) printJson(io, result);
    else printAttempts(io, result.message, result.attempts);
    return result.message.state === 'succeeded' ? 0 : 4;
  });
}

/** `simdock notifications resend MESSAGE`: sends a message of the log again now. */
export async function runResend(
  options: GlobalOptions & { id: number; allowPrivate?: boolean },
  io: CommandIo,
) {
  return withRuntime(options, io, async ({ context }) => {
    const result = await resendMessage(context, options.id, null, {
      sealer: storeSecretSealer(context.store),
      allowPrivateTargets: options.allowPrivate === true,
    });
    if (options.json) printJson(io, result);
    else printAttempts(io, result.message, result.attempts);
    return result.message.state === 'succeeded' ? 0 : 4;
  });
}

/** `simdock notifications remove ID`. */
export async function runRemove(options: GlobalOptions & { id: number }, io: CommandIo) {
  return withRuntime(options, io, async ({ context }) => {
    await repository(context, {}).deleteChannel(options.id, null, context.clock.now());
    if (options.json) printJson(io, { deleted: true });
    else println(io.stdout, `notification channel ${options.id} deleted`);
    return 0;
  });
}

export interface LogOptions extends GlobalOptions {
  channel?: number;
  state?: string;
  limit?: number;
  message?: number;
}

/** `simdock notifications log`: the delivery log, newest first; `--message ID` shows its attempts. */
export async function runLog(options: LogOptions, io: CommandIo): Promise<number> {
  if (options.state !== undefined && !STATES.includes(options.state as NotificationMessageState)) {
    throw new SimdockError(
      'invalid_argument',
      `--state must be one of ${STATES.join(', ')} (got "${options.state}")`,
    );
  }
  return withRuntime(options, io, async ({ context }) => {
    const repo = repository(context, {});
    if (options.message !== undefined) {
      const message = await repo.getMessage(options.message, null);
      const attempts = await repo.attempts(message.id);
      if (options.json) printJson(io, { message, attempts });
      else printAttempts(io, message, attempts);
      return 0;
    }
    const messages = await repo.listMessages(null, {
      channelId: options.channel,
      state: options.state as NotificationMessageState | undefined,
      limit: options.limit || 50,
    });
    if (options.json) {
      printJson(io, { messages });
      return 0;
    }
    if (messages.length === 0) {
      println(io.stdout, 'no notification messages');
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['ID', 'CHANNEL', 'KIND', 'ITEMS', 'TITLE', 'STATE', 'ATTEMPTS', 'CODE', 'NEXT ATTEMPT'],
        messages.map((message) => [
          message.id,
          message.channelId,
          message.kind,
          message.items,
          message.title,
          message.state,
          message.attempts,
          message.lastCode ?? message.lastError,
          instant(message.nextAttemptAt),
        ]),
      ),
    );
    return 0;
  });
}

type Parsed = { optsWithGlobals(): Record<string, unknown> };

/** `simdock notifications list|test|resend|remove|log`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description('notification channels (secrets masked)')
    .action(async (_options, command) => {
      context.setExitCode(await runList(globals(command), context.io));
    });
  parent
    .command('test')
    .description('send a test message to a channel now')
    .argument('<id>', 'channel id', wholeNumber('id'))
    .option('--allow-private', 'allow a private, loopback or link-local robot address')
    .action(async (...args: unknown[]) => {
      const [id, options, command] = args as [number, { allowPrivate?: boolean }, Parsed];
      context.setExitCode(await runTest({ ...globals(command), ...options, id }, context.io));
    });
  parent
    .command('resend')
    .description('send a message of the delivery log again now')
    .argument('<message>', 'message id', wholeNumber('message'))
    .option('--allow-private', 'allow a private, loopback or link-local robot address')
    .action(async (...args: unknown[]) => {
      const [id, options, command] = args as [number, { allowPrivate?: boolean }, Parsed];
      context.setExitCode(await runResend({ ...globals(command), ...options, id }, context.io));
    });
  parent
    .command('remove')
    .description('delete a channel (its log is kept)')
    .argument('<id>', 'channel id', wholeNumber('id'))
    .action(async (...args: unknown[]) => {
      const [id, , command] = args as [number, unknown, Parsed];
      context.setExitCode(await runRemove({ ...globals(command), id }, context.io));
    });
  parent
    .command('log')
    .description('the delivery log: messages, retries and the robots’ answer codes')
    .option('--channel <id>', 'one channel', wholeNumber('--channel'))
    .option('--state <state>', 'pending, succeeded or failed')
    .option('--limit <n>', 'how many (default 50)', wholeNumber('--limit'))
    .option('--message <id>', 'one message with every attempt', wholeNumber('--message'))
    .action(async (...args: unknown[]) => {
      const [options, command] = args as [LogOptions, Parsed];
      context.setExitCode(await runLog({ ...globals(command), ...options }, context.io));
    });
}
