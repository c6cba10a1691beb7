import { randomUUID } from 'node:crypto';
import { SEVERITIES } from '../../domain/rules-model.js';
import { AlertsRepository, type StoredAlert } from '../../store/repositories/alerts-repository.js';
import type {
  NotificationAttempt,
  NotificationChannelRecord,
  NotificationItem,
  NotificationMessage,
  NotificationsRepository,
  NotificationTenantFilter,
} from '../../store/repositories/notifications-repository.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import type { ServiceContext } from '../context.js';
import { createWebhookSender, type WebhookSender } from '../webhooks/webhooks-http.js';
import {
  type ChannelLocale,
  type EmailSettings,
  isRobot,
  type NotificationSettings,
  repository,
} from './notifications-channels.js';
import { createMailSender, type MailSender } from './notifications-email.js';
import {
  type AlertItemData,
  ConsoleLinks,
  digestMessage,
  itemMessage,
  testMessage,
} from './notifications-messages.js';
import {
  RATE_LIMIT_COOL_DOWN_MS,
  ROBOT_TEXT_LIMIT_BYTES,
  type RobotMessage,
  type RobotSecrets,
  readRobotAnswer,
  robotRequest,
} from './notifications-robots.js';

/** How long a message is retried after it was made: 24 hours, like webhooks. */
export const NOTIFICATION_RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 60 * 60 * 1000;
/** The rate window robots count in. */
export const RATE_WINDOW_MS = 60_000;
/** After a digest, the next message waits this many times the per-message spacing. */
const DIGEST_SPACING_FACTOR = 4;
/** The largest email text (a digest is cut to fit; the rest follows in the next one). */
const EMAIL_TEXT_LIMIT_BYTES = 100_000;

export function notificationRetryDelay(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

export interface DeliverNotificationsOptions extends NotificationSettings {
  /** Replaces the robots' HTTP client (tests); the default refuses private addresses. */
  sender?: WebhookSender;
  /** Replaces the SMTP client. */
  mailer?: MailSender;
  timeoutMs?: number;
}

export interface DeliverNotificationsSummary {
  /** Items queued from new alerts. */
  queued: number;
  /** Messages made (single, digest, daily). */
  composed: number;
  attempted: number;
  succeeded: number;
  retrying: number;
  failed: number;
  /** Channels whose robot answered its rate-limit code this pass. */
  rateLimited: number;
}

const SEVERITY_RANK = new Map<string, number>(SEVERITIES.map((name, index) => [name, index]));

/**
 * One notification pass, for the job worker to run every few seconds: routes alerts raised
 * since the last pass to the channels that want them (rule, severity, tenant), then serves each
 * channel within its rate: due retries first, then at most one new message made of what waits:
 * one item alone, or, when several wait, a digest folding as many as fit. Messages are spaced
 * (60 s / the channel's rate; four times that after a digest) and never exceed the rate in any
 * 60 s, so a burst reaches a robot as a few digests, nothing dropped. Several workers may run
 * passes at once: a channel is leased by one pass at a time.
 */
export async function deliverNotifications(
  context: ServiceContext,
  options: DeliverNotificationsOptions = {},
): Promise<DeliverNotificationsSummary> {
  const repo = repository(context, options);
  const summary: DeliverNotificationsSummary = {
    queued: await routeNewAlerts(context, repo),
    composed: 0,
    attempted: 0,
    succeeded: 0,
    retrying: 0,
    failed: 0,
    rateLimited: 0,
  };
  const transport = transportOf(options);
  for (const channel of await repo.listChannels(null)) {
    if (!channel.enabled) continue;
    const now = context.clock.now();
    if (!(await repo.leaseChannel(channel.id, now, now + 5 * 60_000))) continue;
    try {
      await serveChannel(context, repo, channel, transport, summary);
    } finally {
      await repo.releaseChannel(channel.id);
    }
  }
  return summary;
}

interface Transport {
  sender: WebhookSender;
  mailer: MailSender;
  links: ConsoleLinks;
  timeoutMs: number;
}

function transportOf(options: DeliverNotificationsOptions): Transport {
  return {
    sender: options.sender ?? createWebhookSender(options),
    mailer: options.mailer ?? createMailSender(),
    links: new ConsoleLinks(options.publicUrl ?? process.env.SIMDOCK_PUBLIC_URL),
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}

async function serveChannel(
  context: ServiceContext,
  repo: NotificationsRepository,
  channel: NotificationChannelRecord,
  transport: Transport,
  summary: DeliverNotificationsSummary,
): Promise<void> {
  const now = context.clock.now();
  let budget = channel.perMinute - (await repo.attemptsSince(channel.id, now - RATE_WINDOW_MS + 1));
  for (const message of await repo.dueMessages(channel.id, now, Math.max(0, budget))) {
    const outcome = await attempt(context, repo, channel, message, transport, false);
    budget -= 1;
    count(summary, outcome);
    if (outcome.rateLimited) return;
  }
  if (budget <= 0 || (await repo.hasPending(channel.id))) return;
  const spacing = RATE_WINDOW_MS / channel.perMinute;
  const last = await repo.lastMessage(channel.id);
  if (last) {
    const wait = last.kind === 'digest' ? spacing * DIGEST_SPACING_FACTOR : spacing;
    if (now - last.createdAt < wait) return;
  }
  const message = await compose(context, repo, channel, transport.links);
  if (!message) return;
  summary.composed += 1;
  count(summary, await attempt(context, repo, channel, message, transport, false));
}

function count(
  summary: DeliverNotificationsSummary,
  outcome: { message: NotificationMessage; rateLimited: boolean },
): void {
  summary.attempted += 1;
  summary[outcome.message.state === 'pending' ? 'retrying' : outcome.message.state] += 1;
  if (outcome.rateLimited) summary.rateLimited += 1;
}

/** Makes the next message of a channel from what waits: one item, or a digest of alerts. */
async function compose(
  context: ServiceContext,
  repo: NotificationsRepository,
  channel: NotificationChannelRecord,
  links: ConsoleLinks,
): Promise<NotificationMessage | null> {
  const waiting = await repo.waitingItems(channel.id, 500);
  if (waiting.length === 0) return null;
  const locale = channel.locale as ChannelLocale;
  const now = context.clock.now();
  const first = waiting[0]!;
  const alerts: NotificationItem[] = [];
  for (const item of waiting) {
    if (item.kind !== 'alert') break;
    alerts.push(item);
  }
  let carried: NotificationItem[];
  let content: RobotMessage;
  let kind: string;
  if (alerts.length <= 1) {
    carried = [first];
    content = itemMessage(locale, first, links);
    kind = first.kind === 'alert' ? 'single' : first.kind;
  } else {
    const limit = isRobot(channel.type)
      ? ROBOT_TEXT_LIMIT_BYTES[channel.type]
      : EMAIL_TEXT_LIMIT_BYTES;
    const digest = digestMessage(
      locale,
      alerts.map((item) => item.data as unknown as AlertItemData),
      links,
      limit,
    );
    carried = alerts.slice(0, digest.carried);
    content = digest.message;
    kind = 'digest';
  }
  return repo.createMessage({
    channelId: channel.id,
    tenantId: channel.tenantId,
    kind,
    itemIds: carried.map((item) => item.id),
    title: content.title,
    body: content.text,
    now,
    retryUntil: now + NOTIFICATION_RETRY_WINDOW_MS,
  });
}

/** What one attempt answered, before it is logged. */
interface AttemptResult {
  sent: boolean;
  statusCode: number | null;
  answerCode: string | null;
  answer: string | null;
  error: string | null;
  rateLimited: boolean;
}

async function send(
  context: ServiceContext,
  repo: NotificationsRepository,
  channel: NotificationChannelRecord,
  message: NotificationMessage,
  transport: Transport,
): Promise<AttemptResult> {
  let secrets: Record<string, string>;
  try {
    secrets = await repo.channelSecrets(channel.id);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return {
      sent: false,
      statusCode: null,
      answerCode: null,
      answer: null,
      error: text,
      rateLimited: false,
    };
  }
  const content = { title: message.title, text: message.body };
  if (isRobot(channel.type)) {
    const request = robotRequest(
      channel.type,
      secrets as unknown as RobotSecrets,
      content,
      context.clock.now(),
      transport.timeoutMs,
    );
    const response = await transport.sender(request);
    if (!response.ok) {
      return {
        sent: false,
        statusCode: null,
        answerCode: null,
        answer: null,
        error: response.error,
        rateLimited: false,
      };
    }
    const answer = readRobotAnswer(channel.type, response.status, response.excerpt);
    return {
      sent: answer.sent,
      statusCode: response.status,
      answerCode: answer.code,
      answer: answer.message ?? response.excerpt.slice(0, 500),
      error: answer.sent
        ? null
        : answer.code !== null
          ? `${channel.type} answered ${answer.code}${answer.message ? ` ${answer.message}` : ''}`
          : `HTTP ${response.status}`,
      rateLimited: answer.rateLimited,
    };
  }
  const response = await transport.mailer({
    settings: channel.settings as unknown as EmailSettings,
    secrets,
    message: content,
    timeoutMs: transport.timeoutMs,
  });
  return response.ok
    ? {
        sent: true,
        statusCode: null,
        answerCode: response.code,
        answer: response.reply.slice(0, 500),
        error: null,
        rateLimited: false,
      }
    : {
        sent: false,
        statusCode: null,
        answerCode: response.code,
        answer: null,
        error: response.error.slice(0, 500),
        rateLimited: false,
      };
}

/** One attempt of a message, logged, and the message's new state. */
async function attempt(
  context: ServiceContext,
  repo: NotificationsRepository,
  channel: NotificationChannelRecord,
  message: NotificationMessage,
  transport: Transport,
  manual: boolean,
): Promise<{ message: NotificationMessage; rateLimited: boolean }> {
  const started = context.clock.now();
  const result = await send(context, repo, channel, message, transport);
  const finished = context.clock.now();
  const attempts = message.attempts + 1;
  const coolDown =
    result.rateLimited && isRobot(channel.type) ? RATE_LIMIT_COOL_DOWN_MS[channel.type] : 0;
  const retryAt = finished + Math.max(notificationRetryDelay(attempts), coolDown);
  const state = result.sent ? 'succeeded' : finished >= message.retryUntil ? 'failed' : 'pending';
  await repo.recordAttempt(
    message,
    {
      at: started,
      statusCode: result.statusCode,
      answerCode: result.answerCode,
      answer: result.answer,
      error: result.error,
      durationMs: Math.max(0, finished - started),
      manual,
    },
    {
      state,
      attempts,
      nextAttemptAt: state === 'pending' ? Math.min(retryAt, message.retryUntil) : null,
      retryUntil: message.retryUntil,
      updatedAt: finished,
    },
  );
  return {
    message: await repo.getMessage(message.id, null),
    rateLimited: result.rateLimited,
  };
}

/** Routes alerts raised since the last pass into channel items; returns how many were queued. */
async function routeNewAlerts(
  context: ServiceContext,
  repo: NotificationsRepository,
): Promise<number> {
  const channels = (await repo.listChannels(null)).filter((channel) => channel.enabled);
  const alertsRepo = new AlertsRepository(context.store, () => context.clock.now());
  const tenants = new TenantsRepository(context.store);
  const paths = new Map<string, string | null>();
  const pathOf = async (tenantId: string) => {
    if (!paths.has(tenantId)) paths.set(tenantId, (await tenants.get(tenantId))?.path ?? null);
    return paths.get(tenantId) ?? null;
  };
  const iccids = new Map<number, string | null>();
  let cursor = await repo.cursor('alerts');
  let queued = 0;
  for (;;) {
    const alerts = await alertsRepo.list({ afterId: cursor, limit: 500 });
    if (alerts.length === 0) break;
    const now = context.clock.now();
    for (const alert of alerts) {
      for (const channel of channels) {
        if (!(await wants(channel, alert, pathOf, tenants))) continue;
        if (alert.cardId !== null && !iccids.has(alert.cardId)) {
          iccids.set(alert.cardId, (await context.store.cards.get(alert.cardId))?.iccid ?? null);
        }
        const data: AlertItemData = {
          alertId: alert.id,
          ruleId: alert.ruleId,
          ruleName: typeof alert.data.ruleName === 'string' ? alert.data.ruleName : null,
          kind: alert.kind,
          severity: alert.severity,
          message: alert.message,
          cardId: alert.cardId,
          iccid: alert.cardId === null ? null : (iccids.get(alert.cardId) ?? null),
          account: alert.account,
          raisedAt: alert.createdAt,
        };
        const added = await repo.queueItem({
          channelId: channel.id,
          kind: 'alert',
          dedupeKey: `alert:${alert.id}`,
          alertId: alert.id,
          data: data as unknown as Record<string, unknown>,
          now,
        });
        if (added) queued += 1;
      }
    }
    cursor = alerts.at(-1)!.id;
    await repo.saveCursor('alerts', cursor, now);
  }
  return queued;
}

/** Whether a channel takes an alert: its rules, its lowest severity, its tenant's cards. */
async function wants(
  channel: NotificationChannelRecord,
  alert: StoredAlert,
  pathOf: (tenantId: string) => Promise<string | null>,
  tenants: TenantsRepository,
): Promise<boolean> {
  if (channel.createdAt > alert.createdAt) return false;
  if (
    channel.ruleIds.length > 0 &&
    (alert.ruleId === null || !channel.ruleIds.includes(alert.ruleId))
  ) {
    return false;
  }
  if ((SEVERITY_RANK.get(alert.severity) ?? 0) < (SEVERITY_RANK.get(channel.minSeverity) ?? 0)) {
    return false;
  }
  const path = await pathOf(channel.tenantId);
  if (path === null) return false;
  // The root tenant (the operator) takes every alert; another tenant, its own cards' alerts.
  if (path.split('/').filter(Boolean).length === 1) return true;
  if (alert.cardId === null) return false;
  return tenants.cardInSubtree(alert.cardId, path);
}

/**
 * Sends a test message to a channel now (it counts toward the channel's rate; when the rate is
 * spent, or a delivery pass holds the channel, it waits for the next pass like any other
 * message). Returns the message and its attempts.
 */
export async function sendTestMessage(
  context: ServiceContext,
  channelId: number,
  tenants: NotificationTenantFilter,
  options: DeliverNotificationsOptions = {},
): Promise<{ message: NotificationMessage; attempts: NotificationAttempt[] }> {
  const repo = repository(context, options);
  const channel = await repo.getChannel(channelId, tenants);
  const transport = transportOf(options);
  const now = context.clock.now();
  const key = `test:${randomUUID()}`;
  await repo.queueItem({ channelId, kind: 'test', dedupeKey: key, alertId: null, data: {}, now });
  const [item] = (await repo.waitingItems(channelId, 500)).filter((row) => row.dedupeKey === key);
  const content = testMessage(channel.locale as ChannelLocale, transport.links);
  let message = await repo.createMessage({
    channelId,
    tenantId: channel.tenantId,
    kind: 'test',
    itemIds: item ? [item.id] : [],
    title: content.title,
    body: content.text,
    now,
    retryUntil: now + NOTIFICATION_RETRY_WINDOW_MS,
  });
  // Sent now when the channel's rate allows and no delivery pass holds it (the pass would count
  // on a rate this send changes); otherwise the next pass sends it like any other message.
  const used = await repo.attemptsSince(channelId, now - RATE_WINDOW_MS + 1);
  if (used < channel.perMinute && (await repo.leaseChannel(channelId, now, now + 60_000))) {
    try {
      message = (await attempt(context, repo, channel, message, transport, false)).message;
    } finally {
      await repo.releaseChannel(channelId);
    }
  }
  return { message, attempts: await repo.attempts(message.id) };
}

/** Sends a message again now, by hand (any state); when it fails it is retried 24 hours more. */
export async function resendMessage(
  context: ServiceContext,
  messageId: number,
  tenants: NotificationTenantFilter,
  options: DeliverNotificationsOptions = {},
): Promise<{ message: NotificationMessage; attempts: NotificationAttempt[] }> {
  const repo = repository(context, options);
  const message = await repo.getMessage(messageId, tenants);
  const channel = await repo.getChannel(message.channelId, null);
  const retryUntil = context.clock.now() + NOTIFICATION_RETRY_WINDOW_MS;
  const result = await attempt(
    context,
    repo,
    channel,
    { ...message, retryUntil },
    transportOf(options),
    true,
  );
  return { message: result.message, attempts: await repo.attempts(message.id) };
}
