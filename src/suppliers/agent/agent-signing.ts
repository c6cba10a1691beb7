import type { Clock } from '../../domain/index.js';
import type { FetchFunction } from '../spec/index.js';
import { agentHeaders, agentTimestamp, newTraceId } from './agent-protocol.js';

export interface AgentSigningOptions {
  appId: string;
  secret: string;
  clock: Clock;
  /** The traceID source; a fresh 32-hex value per request by default. */
  traceId?: () => string;
}

/**
 * A `fetch` decorator that signs every request with the agent headers (PROTOCOL-NOTES.md, "Agent
 * open API"): a fresh `traceID` and the current `timestamp` each time, so a retried request is a
 * new request to the platform, never a replayed one.
 */
export function withAgentSigning(
  fetchFunction: FetchFunction,
  options: AgentSigningOptions,
): FetchFunction {
  const traceId = options.traceId ?? newTraceId;
  return (input, init) => {
    const headers = new Headers(init?.headers);
    const signed = agentHeaders({
      appId: options.appId,
      secret: options.secret,
      traceId: traceId(),
      timestamp: agentTimestamp(options.clock.now()),
    });
    for (const [name, value] of Object.entries(signed)) headers.set(name, value);
    return fetchFunction(input, { ...init, headers });
  };
}
