import { type Clock, systemClock } from '../../domain/index.js';
import { type FetchFunction, readJson, SupplierError } from '../spec/index.js';
import { CardCooldown, PerCardRateWindow } from './agent-limits.js';
import { type AgentOperation, type AgentPaths, resolveAgentPaths } from './agent-paths.js';
import {
  AGENT_BATCH_LIMITS,
  AGENT_CODES,
  AGENT_STATUS_CALLS_PER_CARD_PER_MINUTE,
  agentError,
} from './agent-protocol.js';
import { type AgentRequest, agentRequestSchemas } from './agent-requests.js';
import { type AgentResponse, agentEnvelopeSchema, agentResponseSchemas } from './agent-schemas.js';
import { withAgentSigning } from './agent-signing.js';

export interface AgentClientOptions {
  /** The agent back office's origin, e.g. `https://x.cn` (a trailing `/admin` is dropped). */
  baseUrl: string;
  appId: string;
  secret: string;
  /** Path overrides by operation name (see AGENT_OPERATIONS). */
  paths?: Record<string, string>;
  /** The raw transport; tests pass a simulator's `appFetch(app)`. */
  fetch?: FetchFunction;
  /**
   * Decorates the signed transport (rate limit, timeout, error mapping). Signing sits closest
   * to the wire, so a request that waited for a rate-limit token still carries a fresh
   * timestamp.
   */
  wrap?: (signed: FetchFunction) => FetchFunction;
  clock?: Clock;
  /** The traceID source (tests pin it to check vectors). */
  traceId?: () => string;
  /** The wait after a card's speed limit changes before it may change again (default 5 min). */
  speedCooldownMs?: number;
  /** Latest-status reads allowed per card per minute (default 3). */
  statusCallsPerCardPerMinute?: number;
  /** The account id carried by errors. */
  accountId?: string;
}

/** The answer of one call: the parsed `data` and the whole body, for audit. */
export interface AgentCallResult<T> {
  data: T;
  body: unknown;
}

/** Cards of a batch call, by one kind of identifier. */
export type AgentCards = { iccids: string[] } | { simNos: string[] };
/** One card, by one identifier. */
export type AgentCard = { iccid: string } | { simNo: string };

export interface AgentCallOptions {
  abortSignal?: AbortSignal;
}

/** Where the agent back office URL ends in `/admin`, the API lives at its origin. */
export function agentApiBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/admin$/, '');
}

/**
 * The low-level agent open API client: one call per operation, wire names kept, limits checked
 * before any request (batch sizes, latest-status budget per card, speed-change cooldown).
 * Usable alone as an SDK; the typed operations live in AgentClient.
 */
export class AgentTransport {
  readonly paths: AgentPaths;
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly accountId: string | undefined;
  readonly statusWindow: PerCardRateWindow;
  readonly speedCooldown: CardCooldown;
  #fetch: FetchFunction;

  constructor(options: AgentClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.paths = resolveAgentPaths(options.paths);
    this.baseUrl = agentApiBase(options.baseUrl);
    this.accountId = options.accountId;
    const signed = withAgentSigning(options.fetch ?? globalThis.fetch, {
      appId: options.appId,
      secret: options.secret,
      clock: this.clock,
      traceId: options.traceId,
    });
    this.#fetch = options.wrap ? options.wrap(signed) : signed;
    this.statusWindow = new PerCardRateWindow({
      limit: options.statusCallsPerCardPerMinute ?? AGENT_STATUS_CALLS_PER_CARD_PER_MINUTE,
      windowMs: 60_000,
      clock: this.clock,
    });
    this.speedCooldown = new CardCooldown({
      cooldownMs: options.speedCooldownMs ?? 5 * 60_000,
      clock: this.clock,
    });
  }

  /** Sends one operation and returns its parsed `data`; a non-zero `code` is thrown. */
  async call<Operation extends AgentOperation>(
    operation: Operation,
    form: AgentRequest<Operation>,
    options: AgentCallOptions = {},
  ): Promise<AgentCallResult<AgentResponse<Operation>>> {
    options.abortSignal?.throwIfAborted();
    const checked = agentRequestSchemas[operation].safeParse(form);
    if (!checked.success) {
      throw new SupplierError(
        'invalid_argument',
        `agent ${operation}: ${checked.error.issues.map((issue) => issue.message).join('; ')}`,
        { retryable: false, accountId: this.accountId },
      );
    }
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form as Record<string, unknown>)) {
      if (value !== undefined && value !== null) body.set(name, String(value));
    }
    const response = await this.#fetch(`${this.baseUrl}${this.paths[operation]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
      signal: options.abortSignal,
    });
    const json = await readJson(response);
    const envelope = agentEnvelopeSchema.safeParse(json);
    if (!envelope.success || Number.isNaN(envelope.data.code)) {
      throw this.#badResponse(operation, 'no {code, message, data} envelope', json);
    }
    if (envelope.data.code !== AGENT_CODES.success) {
      throw agentError(String(envelope.data.code), envelope.data.message, this.accountId);
    }
    const data = agentResponseSchemas[operation].safeParse(envelope.data.data);
    if (!data.success) {
      const issue = data.error.issues[0];
      throw this.#badResponse(
        operation,
        `unexpected data at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
        json,
      );
    }
    return { data: data.data as AgentResponse<Operation>, body: json };
  }

  /** Fails before any call when a batch exceeds its documented size. */
  checkBatch(operation: keyof typeof AGENT_BATCH_LIMITS, cards: AgentCards): string[] {
    const values = 'iccids' in cards ? cards.iccids : cards.simNos;
    const limit = AGENT_BATCH_LIMITS[operation];
    if (values.length === 0 || values.length > limit) {
      throw new SupplierError(
        'invalid_argument',
        `agent ${operation} takes 1–${limit} cards, got ${values.length}`,
        { retryable: false, accountId: this.accountId },
      );
    }
    return values;
  }

  #badResponse(operation: string, reason: string, body: unknown): SupplierError {
    return new SupplierError('supplier_bad_response', `agent ${operation}: ${reason}`, {
      retryable: false,
      accountId: this.accountId,
      details: { body: JSON.stringify(body)?.slice(0, 300) },
    });
  }
}

/** The form fields naming a batch's cards. */
export function cardsForm(cards: AgentCards): { iccids: string } | { simNos: string } {
  return 'iccids' in cards
    ? { iccids: cards.iccids.join(',') }
    : { simNos: cards.simNos.join(',') };
}

/** The identifier a single-card call names the card by. */
export function cardKey(card: AgentCard): string {
  return 'iccid' in card ? card.iccid : card.simNo;
}
