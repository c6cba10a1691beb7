import { AsyncLocalStorage } from 'node:async_hooks';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import PinoPretty from 'pino-pretty';
import { SimdockError } from '../../domain/index.js';

export type { Logger } from 'pino';

/** The levels `--log-level` and `SIMDOCK_LOG_LEVEL` accept. */
export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** `json`: one JSON object a line (for collectors); `pretty`: coloured lines for a terminal. */
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go (default: standard error). */
  destination?: DestinationStream;
}

/**
 * Field names whose values never reach a log line, at the top level and one or two levels down
 * (`password`, `details.password`, `request.headers.authorization`…). Secrets are also kept out by
 * never logging settings, bodies or headers wholesale; this is the net under that rule.
 */
const SECRET_FIELDS = [
  'password',
  'secret',
  'secrets',
  'token',
  'apiKey',
  'appSecret',
  'authorization',
  'cookie',
  'signature',
  'sign',
];

export const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
]);

/** The fields of the work in hand (request id, job id), added to every line logged within it. */
const logContext = new AsyncLocalStorage<Record<string, unknown>>();

/**
 * Runs `body` with `fields` added to every log line written while it runs, including lines from
 * services and supplier adapters deep inside it (a request's id, a job's id and name).
 */
export function withLogFields<T>(fields: Record<string, unknown>, body: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, body);
}

/** Reads a level, failing with a clear `config_error` for anything else. */
export function parseLogLevel(text: string): LevelWithSilent {
  const level = text.trim().toLowerCase() as LevelWithSilent;
  if (!LOG_LEVELS.includes(level)) {
    throw new SimdockError(
      'config_error',
      `log level "${text}" is not one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return level;
}

/** Reads a format (`json` or `pretty`), failing with a clear `config_error` otherwise. */
export function parseLogFormat(text: string): LogFormat {
  const format = text.trim().toLowerCase();
  if (format !== 'json' && format !== 'pretty') {
    throw new SimdockError('config_error', `log format "${text}" is not json or pretty`);
  }
  return format;
}

/**
 * The structured logger of `serve` and `worker`: JSON lines with `time`, `level`, `msg` and the
 * fields of the context (request id, job id, account, supplier operation), secrets redacted.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = parseLogLevel(options.level ?? 'info');
  const settings = {
    level,
    base: { service: 'simdock' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: () => logContext.getStore() ?? {},
  };
  if (options.format === 'pretty') {
    // Synchronous pretty printing in this thread: no worker-thread transport to lose lines at exit.
    const pretty = PinoPretty({
      destination: (options.destination as NodeJS.WritableStream | undefined) ?? 2,
      colorize: true,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
    });
    return pino(settings, pretty);
  }
  return pino(settings, options.destination ?? pino.destination({ fd: 2, sync: false }));
}

/** A logger that writes nothing (tests, one-shot CLI commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
