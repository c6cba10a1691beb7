import { createHash, randomBytes } from 'node:crypto';
import { supplierCodeTable } from '../spec/index.js';

/**
 * The wire protocol of the reseller "V2.0 open API for agents" (PROTOCOL-NOTES.md, section
 * "Agent open API"): POST form bodies, five signed headers, a `{code, message, data, timestamp,
 * traceID}` envelope. Kept free of client state so simdock's own agent open API can serve the
 * same surface.
 */

/** The `apiVersion` header every call carries. */
export const AGENT_API_VERSION = '2.0.0';

/** How far the `timestamp` header may be from the server's clock (PROTOCOL-NOTES.md: ±10 min). */
export const AGENT_TIMESTAMP_WINDOW_SECONDS = 600;

/** The header names, as the document spells them (HTTP header names are case-insensitive). */
export const AGENT_HEADERS = {
  appId: 'appID',
  apiVersion: 'apiVersion',
  traceId: 'traceID',
  timestamp: 'timestamp',
  sign: 'sign',
} as const;

export interface AgentSignInput {
  appId: string;
  apiVersion: string;
  traceId: string;
  /** 10-digit Unix seconds, as sent. */
  timestamp: string;
  secret: string;
}

/**
 * `sign = lower hex md5(appID + apiVersion + traceID + timestamp + secret)`; the body is not
 * signed (PROTOCOL-NOTES.md, "Agent open API").
 */
export function agentSign(input: AgentSignInput): string {
  return createHash('md5')
    .update(input.appId + input.apiVersion + input.traceId + input.timestamp + input.secret, 'utf8')
    .digest('hex');
}

/** 32 random lower-case hex characters: a fresh `traceID` for every request. */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

/** The 10-digit Unix-seconds `timestamp` header for an instant. */
export function agentTimestamp(epochMs: number): string {
  return String(Math.floor(epochMs / 1000));
}

/** The signed headers of one request. */
export function agentHeaders(options: {
  appId: string;
  secret: string;
  traceId: string;
  timestamp: string;
}): Record<string, string> {
  const sign = agentSign({ ...options, apiVersion: AGENT_API_VERSION });
  return {
    [AGENT_HEADERS.appId]: options.appId,
    [AGENT_HEADERS.apiVersion]: AGENT_API_VERSION,
    [AGENT_HEADERS.traceId]: options.traceId,
    [AGENT_HEADERS.timestamp]: options.timestamp,
    [AGENT_HEADERS.sign]: sign,
  };
}

/**
 * Response codes. Only `0` (success) is published (PROTOCOL-NOTES.md); the others are simdock's
 * guess at a reseller platform's codes, used by the simulator and by simdock's own agent open
 * API, and mapped by meaning so an unknown code still surfaces verbatim as `supplier_rejected`.
 */
export const AGENT_CODES = {
  success: 0,
  invalidParameter: 1001,
  badSignature: 1002,
  unknownApp: 1003,
  timestampExpired: 1004,
  traceIdReused: 1005,
  unsupportedVersion: 1006,
  tooFrequent: 1007,
  cardNotFound: 2001,
  cardStateForbids: 2002,
  coolingDown: 2003,
  balanceInsufficient: 2004,
  deviceNotFound: 2005,
  deviceOffline: 2006,
  duplicateOrder: 2007,
  batchTooLarge: 2008,
  batchNotFound: 2009,
  systemError: 5000,
} as const;

/** Maps an agent response code to a simdock `SupplierError`. */
export const agentError = supplierCodeTable('agent', {
  [AGENT_CODES.invalidParameter]: { code: 'invalid_argument', retryable: false },
  [AGENT_CODES.badSignature]: { code: 'supplier_auth_failed', retryable: false },
  [AGENT_CODES.unknownApp]: { code: 'supplier_auth_failed', retryable: false },
  // A skewed host clock: retrying with the same clock fails the same way.
  [AGENT_CODES.timestampExpired]: { code: 'supplier_auth_failed', retryable: false },
  // A retry carries a fresh traceID, so it may pass.
  [AGENT_CODES.traceIdReused]: { code: 'supplier_rejected', retryable: true },
  [AGENT_CODES.unsupportedVersion]: { code: 'config_error', retryable: false },
  [AGENT_CODES.tooFrequent]: { code: 'supplier_throttled', retryable: true },
  [AGENT_CODES.cardNotFound]: { code: 'supplier_card_unknown', retryable: false },
  [AGENT_CODES.cardStateForbids]: { code: 'supplier_rejected', retryable: false },
  [AGENT_CODES.coolingDown]: { code: 'cooldown', retryable: true },
  [AGENT_CODES.balanceInsufficient]: { code: 'supplier_balance_exhausted', retryable: false },
  [AGENT_CODES.deviceNotFound]: { code: 'not_found', retryable: false },
  [AGENT_CODES.deviceOffline]: { code: 'supplier_rejected', retryable: true },
  [AGENT_CODES.duplicateOrder]: { code: 'already_exists', retryable: false },
  [AGENT_CODES.batchTooLarge]: { code: 'invalid_argument', retryable: false },
  [AGENT_CODES.batchNotFound]: { code: 'not_found', retryable: false },
  [AGENT_CODES.systemError]: { code: 'supplier_unavailable', retryable: true },
});

/** Cards per call of each batch operation, from the operation names in the document's menu. */
export const AGENT_BATCH_LIMITS = {
  batchQueryCardInfo: 100,
  batchSubscribeCardInfo: 100,
  batchQueryCardStatus: 10,
  batchQueryCardRealtimeFlow: 10,
  batchQueryCardMonthFlow: 10,
  batchStopCard: 100,
  batchRestoreCard: 100,
} as const;

/** Latest-status calls allowed per card per minute (issue 5, item 2). */
export const AGENT_STATUS_CALLS_PER_CARD_PER_MINUTE = 3;

/**
 * Card statuses (`simStatus`). The document's status-code page is not published with it; this
 * reading (guess) agrees with its example, where activated cards carry `simStatus` 4.
 */
export const AGENT_SIM_STATUS = {
  inventory: 1,
  test: 2,
  silent: 3,
  active: 4,
  stopped: 5,
  preCancelled: 6,
  cancelled: 7,
} as const;

/** Operation-record states (`status` of an operation record, guess). */
export const AGENT_RECORD_STATUS = { processing: 0, succeeded: 1, failed: 2 } as const;

/**
 * Slot numbers as the wire writes them: a card's `vice` and the device's `effectiveSim`. In the
 * document's example the card in `mainIccid` has `vice` 1, the one in `vice1Iccid` has `vice` 2,
 * and `effectiveSim` 2 names the latter; 3 and 4 follow for `vice2*` and `usim*` (guess).
 */
export const AGENT_SLOT_NUMBERS = { main: 1, vice1: 2, vice2: 3, esim: 4 } as const;

/**
 * Device control event types seen in `controlResponse`. The document's example shows only 251
 * with `eventValue1` "1"/"2", read as a network switch to that slot; the rest are guesses that
 * the simulator and simdock's own agent open API use.
 */
export const AGENT_CONTROL_EVENTS: Record<number, string> = {
  251: 'switch-network',
  252: 'reboot',
  253: 'reset',
  254: 'shutdown',
  255: 'wifi-visibility',
  256: 'wifi-credentials',
  257: 'stop',
  258: 'resume',
};
