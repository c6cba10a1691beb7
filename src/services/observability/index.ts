export {
  createLogger,
  LOG_LEVELS,
  type LogFormat,
  type Logger,
  type LoggerOptions,
  parseLogFormat,
  parseLogLevel,
  REDACTED_PATHS,
  silentLogger,
  withLogFields,
} from './logger.js';
export { type MetricsOptions, SimdockMetrics } from './metrics.js';
export { observeAdapter, quietTelemetry, type Telemetry } from './telemetry.js';
