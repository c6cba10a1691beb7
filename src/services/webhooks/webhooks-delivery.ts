import { EventOutbox, type StoredEvent } from '../../store/repositories/event-outbox.js';
import {
  type TenantFilter,
  type WebhookAttempt,
  type WebhookDelivery,
  WebhooksRepository,
} from '../../store/repositories/webhooks-repository.js';
import type { ServiceContext } from '../context.js';
import { WebhookAudience } from './webhooks-audience.js';
import type { WebhookSettings } from './webhooks-endpoints.js';
import { createWebhookSender, excerptOf, type WebhookSender } from './webhooks-http.js';
import { signedWebhookHeaders } from './webhooks-signing.js';

/** How long a delivery is retried after its first attempt (issue 7: 24 hours). */
export const WEBHOOK_RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** The first retry's wait; each further retry waits twice as long, up to the cap. */
export const WEBHOOK_FIRST_RETRY_MS = 30_000;
export const WEBHOOK_MAX_RETRY_MS = 4 * 60 * 60 * 1000;

/** The wait before the retry that follows failed attempt number `attempts` (1-based). */
export function webhookRetryDelay(attempts: number): number {
  return Math.min(WEBHOOK_FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), WEBHOOK_MAX_RETRY_MS);
}

export interface DeliverWebhooksOptions extends WebhookSettings {
  /** Replaces the HTTP client (tests); the default refuses private addresses at connect time. */
  sender?: WebhookSender;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Deliveries attempted per pass at most (default 200). */
  limit?: number;
}

export interface DeliverWebhooksSummary {
  /** Deliveries created from new outbox events. */
  queued: number;
  attempted: number;
  succeeded: number;
  /** Failed attempts that will be retried. */
  retrying: number;
  /** Deliveries given up (24 hours of retries passed). */
  failed: number;
}

/** The CloudEvents 1.0 JSON of an outbox event (structured mode). */
export function cloudEvent(event: StoredEvent) {
  return {
    specversion: '1.0',
    id: event.eventId,
    type: `simdock.${event.type}`,
    source: event.account
      ? `/${event.source}/accounts/${encodeURIComponent(event.account)}`
      : `/${event.source}`,
    ...(event.subject !== null ? { subject: event.subject } : {}),
    time: new Date(event.createdAt).toISOString(),
    datacontenttype: 'application/json',
    data: event.data,
  };
}

/**
 * One delivery pass, for the job worker to run periodically: turns outbox events not yet seen
 * into one delivery per matching endpoint (enabled, subscribed to the type, and whose tenant may
 * see the event), then attempts every due delivery. A failed attempt is retried with exponential
 * backoff (30 s, 1 min, 2 min, … capped at 4 h) until 24 hours after the first attempt, with a
 * last attempt at the end of the window; every attempt is logged. Several workers may run passes
 * at once: deliveries are unique per endpoint and event, and each attempt claims its row first.
 */
export async function deliverWebhooks(
  context: ServiceContext,
  options: DeliverWebhooksOptions = {},
): Promise<DeliverWebhooksSummary> {
  const repository = new WebhooksRepository(context.store, options.sealer);
  const summary: DeliverWebhooksSummary = {
    queued: await queueNewEvents(context, repository),
    attempted: 0,
    succeeded: 0,
    retrying: 0,
    failed: 0,
  };
  const sender = options.sender ?? createWebhookSender(options);
  const now = context.clock.now();
  const due = await repository.dueDeliveries(now, options.limit ?? 200);
  for (const delivery of due) {
    if (!(await claim(repository, delivery, now, options.timeoutMs))) continue;
    const outcome = await attemptDelivery(context, repository, sender, delivery, {
      manual: false,
      timeoutMs: options.timeoutMs,
    });
    summary.attempted += 1;
    summary[outcome.delivery.state === 'pending' ? 'retrying' : outcome.delivery.state] += 1;
  }
  return summary;
}

/**
 * Sends a delivery again now, by hand (any state), logging the attempt as manual. When it fails,
 * the delivery is retried on the usual schedule for another 24 hours.
 */
export async function redeliverWebhook(
  context: ServiceContext,
  deliveryId: number,
  tenants: TenantFilter,
  options: DeliverWebhooksOptions = {},
): Promise<{ delivery: WebhookDelivery; attempt: WebhookAttempt }> {
  const repository = new WebhooksRepository(context.store, options.sealer);
  const delivery = await repository.getDelivery(deliveryId, tenants);
  const now = context.clock.now();
  await repository.setRetryUntil(delivery.id, now + WEBHOOK_RETRY_WINDOW_MS, now);
  return attemptDelivery(
    context,
    repository,
    options.sender ?? createWebhookSender(options),
    { ...delivery, retryUntil: now + WEBHOOK_RETRY_WINDOW_MS },
    { manual: true, timeoutMs: options.timeoutMs },
  );
}

const CURSOR = 'outbox';

/** Fans outbox events after the cursor out into deliveries; returns how many were created. */
async function queueNewEvents(
  context: ServiceContext,
  repository: WebhooksRepository,
): Promise<number> {
  const outbox = new EventOutbox(context.store, () => context.clock.now());
  const audience = new WebhookAudience(context.store);
  const endpoints = (await repository.listEndpoints(null)).filter((endpoint) => endpoint.enabled);
  let cursor = await repository.cursor(CURSOR);
  let queued = 0;
  for (;;) {
    const events = await outbox.after(cursor, { limit: 500 });
    if (events.length === 0) break;
    const now = context.clock.now();
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (endpoint.eventTypes.length > 0 && !endpoint.eventTypes.includes(event.type)) continue;
        if (endpoint.createdAt > event.createdAt) continue;
        if (!(await audience.canSee(endpoint.tenantId, event))) continue;
        const queuedNow = await repository.queueDelivery(
          endpoint,
          event,
          now,
          now + WEBHOOK_RETRY_WINDOW_MS,
        );
        if (queuedNow) queued += 1;
      }
    }
    cursor = events.at(-1)!.id;
    await repository.saveCursor(CURSOR, cursor, now);
  }
  return queued;
}

/** Takes a due delivery for this pass (another worker that took it first wins). */
async function claim(
  repository: WebhooksRepository,
  delivery: WebhookDelivery,
  now: number,
  timeoutMs = 10_000,
): Promise<boolean> {
  return repository.claimDelivery(delivery, now, now + timeoutMs + 60_000);
}

/** One signed POST of a delivery, logged, and the delivery's new state. */
async function attemptDelivery(
  context: ServiceContext,
  repository: WebhooksRepository,
  sender: WebhookSender,
  delivery: WebhookDelivery,
  options: { manual: boolean; timeoutMs?: number },
): Promise<{ delivery: WebhookDelivery; attempt: WebhookAttempt }> {
  const outbox = new EventOutbox(context.store);
  const [event] = await outbox.after(delivery.eventRowId - 1, { limit: 1 });
  const endpoint = await repository.endpointTarget(delivery.endpointId);
  const started = context.clock.now();
  let response: Awaited<ReturnType<WebhookSender>>;
  if (!event || event.id !== delivery.eventRowId) {
    response = { ok: false, status: null, error: 'the event is no longer in the outbox' };
  } else if (!endpoint) {
    response = { ok: false, status: null, error: 'the endpoint was deleted' };
  } else {
    const body = JSON.stringify(cloudEvent(event));
    const secret = await repository.endpointSecret(endpoint.id);
    const timestamp = Math.floor(started / 1000);
    response = await sender({
      url: endpoint.url,
      body,
      timeoutMs: options.timeoutMs ?? 10_000,
      headers: {
        'content-type': 'application/cloudevents+json; charset=utf-8',
        'user-agent': 'simdock-webhooks/1',
        ...signedWebhookHeaders({ id: event.eventId, timestamp, body, secret }),
      },
    });
  }
  const finished = context.clock.now();
  const succeeded = response.ok && response.status >= 200 && response.status < 300;
  const gone = !event || !endpoint;
  const attempts = delivery.attempts + 1;
  const retryAt = Math.min(finished + webhookRetryDelay(attempts), delivery.retryUntil);
  const state = succeeded
    ? 'succeeded'
    : gone || finished >= delivery.retryUntil
      ? 'failed'
      : 'pending';
  const error = response.ok ? (succeeded ? null : `HTTP ${response.status}`) : response.error;
  const attemptId = await repository.recordAttempt(
    delivery.id,
    {
      at: started,
      statusCode: response.status,
      durationMs: Math.max(0, finished - started),
      error,
      responseExcerpt: response.ok ? excerptOf(response.excerpt) : null,
      manual: options.manual,
    },
    {
      state,
      attempts,
      nextAttemptAt: state === 'pending' ? retryAt : null,
      updatedAt: finished,
    },
  );
  const attemptList = await repository.attempts(delivery.id);
  return {
    delivery: await repository.getDelivery(delivery.id, null),
    attempt: attemptList.find((attempt) => attempt.id === attemptId)!,
  };
}
