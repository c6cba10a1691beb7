import { SimdockError } from '../../domain/index.js';
import type { SupplierAdapterV1 } from '../../suppliers/spec/index.js';
import { type Logger, silentLogger } from './logger.js';
import type { SimdockMetrics } from './metrics.js';

/** Where a process's logs and metrics go. */
export interface Telemetry {
  logger: Logger;
  /** Null where nothing scrapes (one-shot CLI commands, most tests). */
  metrics: SimdockMetrics | null;
}

/** No logs, no metrics: one-shot CLI commands and tests. */
export function quietTelemetry(): Telemetry {
  return { logger: silentLogger(), metrics: null };
}

/**
 * The adapter with each supplier operation (`do…`) observed: a failure is counted by its error
 * code and logged with the account and operation; a throttling answer the supplier gave in its
 * own words (OneLink 71/72, "busy") counts as throttling. HTTP 429s are counted where they
 * happen, by the transport's observer.
 */
export function observeAdapter(
  adapter: SupplierAdapterV1,
  telemetry: Telemetry,
): SupplierAdapterV1 {
  const { logger, metrics } = telemetry;
  if (!metrics && !logger.isLevelEnabled('warn')) return adapter;
  const labels = { account: adapter.accountId, supplier: adapter.supplier };
  const failed = (operation: string, error: unknown) => {
    const code = SimdockError.isInstance(error) ? error.code : 'internal';
    metrics?.supplierErrors.inc({ ...labels, operation, code });
    const throttled =
      code === 'supplier_throttled' && (error as { httpStatus?: number }).httpStatus !== 429;
    if (throttled) metrics?.supplierThrottled.inc({ ...labels, operation });
    logger[throttled ? 'warn' : 'info'](
      { ...labels, operation, code, err: error instanceof Error ? error.message : String(error) },
      throttled ? 'supplier throttled the account' : 'supplier operation failed',
    );
  };
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !property.startsWith('do') || typeof value !== 'function')
        return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch (error) {
          failed(property, error);
          throw error;
        }
      };
    },
  });
}
