import { describe, expect, it } from 'vitest';
import { SimdockError } from '../../domain/index.js';
import type { SupplierAdapterV1 } from '../../suppliers/spec/index.js';
import {
  createLogger,
  observeAdapter,
  parseLogFormat,
  parseLogLevel,
  SimdockMetrics,
  withLogFields,
} from './index.js';

function capturedLogger(level = 'trace') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level,
    format: 'json',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}

describe('structured logs', () => {
  it('writes one JSON object a line with an ISO time, a level name and the message', () => {
    const { logger, lines } = capturedLogger('info');
    logger.debug('not written at info');
    logger.info({ account: 'a1' }, 'synced');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'synced',
      account: 'a1',
      service: 'simdock',
    });
    expect(String(lines[0]!.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('redacts secret fields at the top level and nested', () => {
    const { logger, lines } = capturedLogger();
    logger.info(
      {
        password: 'pw-1',
        settings: { appSecret: 's-2', user: 'kept' },
        request: { headers: { authorization: 'Bearer k-3', cookie: 'c-4' } },
      },
      'careless',
    );
    const text = JSON.stringify(lines);
    for (const secret of ['pw-1', 's-2', 'k-3', 'c-4']) expect(text).not.toContain(secret);
    expect(text).toContain('kept');
    expect(text).toContain('[redacted]');
  });

  it('adds the fields of the work in hand to every line written inside it', async () => {
    const { logger, lines } = capturedLogger();
    await withLogFields({ requestId: 'r-1' }, async () => {
      await withLogFields({ jobId: 'j-9' }, async () => {
        await Promise.resolve();
        logger.info('deep inside');
      });
      logger.info('after the job');
    });
    logger.info('outside');
    expect(lines.map((line) => [line.msg, line.requestId, line.jobId])).toEqual([
      ['deep inside', 'r-1', 'j-9'],
      ['after the job', 'r-1', undefined],
      ['outside', undefined, undefined],
    ]);
  });

  it('refuses unknown levels and formats with a config error', () => {
    expect(parseLogLevel(' DEBUG ')).toBe('debug');
    expect(() => parseLogLevel('verbose')).toThrowError(/not one of fatal, error/);
    expect(parseLogFormat('Pretty')).toBe('pretty');
    expect(() => parseLogFormat('xml')).toThrowError(SimdockError);
  });
});

describe('metrics', () => {
  it('counts supplier calls by outcome, their latency, throttling and rate-limit waits', async () => {
    const metrics = new SimdockMetrics({ processMetrics: false });
    const observer = metrics.supplierObserver('acct-1', 'onelink-v5');
    observer.call({ operation: '/v5/query', outcome: 'ok', httpStatus: 200, durationMs: 40 });
    observer.call({ operation: '/v5/query', outcome: 'ok', httpStatus: 200, durationMs: 60 });
    observer.call({
      operation: '/v5/query',
      outcome: 'throttled',
      httpStatus: 429,
      durationMs: 5,
      errorCode: 'supplier_throttled',
    });
    observer.rateLimitWait?.(1500);
    const { body, contentType } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain/);
    const labels = 'account="acct-1",supplier="onelink-v5",operation="/v5/query"';
    expect(body).toContain(`simdock_supplier_calls_total{${labels},outcome="ok"} 2`);
    expect(body).toContain(`simdock_supplier_calls_total{${labels},outcome="throttled"} 1`);
    expect(body).toContain(`simdock_supplier_call_duration_seconds_count{${labels}} 3`);
    expect(body).toContain(`simdock_supplier_call_duration_seconds_bucket{le="0.05",${labels}} 2`);
    expect(body).toContain(`simdock_supplier_throttled_total{${labels}} 1`);
    expect(body).toContain(
      'simdock_supplier_rate_limit_wait_seconds_total{account="acct-1",supplier="onelink-v5"} 1.5',
    );
  });

  it('counts an adapter operation that failed, and a throttle the supplier gave in its own words', async () => {
    const metrics = new SimdockMetrics({ processMetrics: false });
    const { logger, lines } = capturedLogger();
    const adapter = {
      specificationVersion: 'v1',
      supplier: 'onelink-v2',
      accountId: 'acct-2',
      capabilities: new Set(['status']),
      limits: { batchSize: {} },
      async doGetStatus() {
        throw new SimdockError('supplier_throttled', 'OneLink answered 71', { retryable: true });
      },
    } as unknown as SupplierAdapterV1;
    const observed = observeAdapter(adapter, { logger, metrics });
    await expect(observed.doGetStatus?.({ cards: [] })).rejects.toThrowError(/answered 71/);
    expect(observed.accountId).toBe('acct-2');
    const { body } = await metrics.render();
    const labels = 'account="acct-2",supplier="onelink-v2",operation="doGetStatus"';
    expect(body).toContain(`simdock_supplier_throttled_total{${labels}} 1`);
    expect(body).toContain(
      `simdock_supplier_operation_errors_total{${labels},code="supplier_throttled"} 1`,
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'supplier throttled the account',
        account: 'acct-2',
        operation: 'doGetStatus',
      }),
    );
  });
});
