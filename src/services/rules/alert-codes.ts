/**
 * What an alert or a rule-preview match says, as a code and parameters a client renders in its
 * own language (the English `message` stays for API users). Derived from the alert's kind and
 * the data its finding recorded, so alerts raised before codes existed get them too.
 *
 * Parameters are plain values: bytes as numbers of bytes, dates as CST `YYYY-MM-DD`, statuses as
 * simdock's status names. A client formats them (the console: `web/src/features/alerts/`).
 */
export const ALERT_CODES = [
  'usage_over',
  'usage_anomaly',
  'idle',
  'expires_soon',
  'expired',
  'imei_changed',
  'status_changed',
  'supplier_flow_over',
  'supplier_flow_near',
  'other',
] as const;

export type AlertCode = (typeof ALERT_CODES)[number];

export type AlertParams = Record<string, string | number | null>;

function value(data: Record<string, unknown>, key: string): string | number | null {
  const found = data[key];
  return typeof found === 'string' || typeof found === 'number' ? found : null;
}

function pick(data: Record<string, unknown>, mapping: Record<string, string>): AlertParams {
  return Object.fromEntries(
    Object.entries(mapping).map(([param, key]) => [param, value(data, key)]),
  );
}

/** The code and parameters of an alert of `kind` with the finding's `data`. */
export function alertCode(
  kind: string,
  data: Record<string, unknown>,
): { code: AlertCode; params: AlertParams } {
  switch (kind) {
    case 'usage':
      return {
        code: 'usage_over',
        params: pick(data, {
          usedBytes: 'usedBytes',
          limitBytes: 'limitBytes',
          quotaBytes: 'quotaBytes',
          percent: 'percentUsed',
          cycleStart: 'cycleStart',
          cycleEnd: 'cycleEnd',
        }),
      };
    case 'anomaly': {
      const params = pick(data, { date: 'date', bytes: 'bytes', medianBytes: 'medianBytes' });
      const bytes = value(data, 'bytes');
      const median = value(data, 'medianBytes');
      params.times =
        typeof bytes === 'number' && typeof median === 'number' && median > 0
          ? Math.round((bytes / median) * 10) / 10
          : null;
      return { code: 'usage_anomaly', params };
    }
    case 'idle':
      return { code: 'idle', params: pick(data, { days: 'days', from: 'from', to: 'to' }) };
    case 'expiry': {
      const daysLeft = value(data, 'daysLeft');
      return typeof daysLeft === 'number' && daysLeft < 0
        ? { code: 'expired', params: pick(data, { expiresOn: 'expiresOn' }) }
        : {
            code: 'expires_soon',
            params: pick(data, { expiresOn: 'expiresOn', days: 'daysLeft' }),
          };
    }
    case 'imei_changed':
      return {
        code: 'imei_changed',
        params: pick(data, { previousImei: 'previousImei', imei: 'imei' }),
      };
    case 'status_changed':
      return {
        code: 'status_changed',
        params: pick(data, {
          previousStatus: 'previousStatus',
          status: 'status',
          statusRaw: 'statusRaw',
        }),
      };
    case 'supplier.flow_over':
    case 'supplier.flow_near':
      return {
        code: kind === 'supplier.flow_over' ? 'supplier_flow_over' : 'supplier_flow_near',
        params: {
          ...pick(data, { plan: 'plan', usedBytes: 'usedBytes' }),
          lineBytes: value(data, kind === 'supplier.flow_over' ? 'overBytes' : 'nearBytes'),
        },
      };
    default:
      return { code: 'other', params: { kind } };
  }
}
