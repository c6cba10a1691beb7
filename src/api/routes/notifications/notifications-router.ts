import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SEVERITIES } from '../../../domain/rules-model.js';
import type { Principal } from '../../../services/access/access-roles.js';
import {
  CHANNEL_LOCALES,
  CHANNEL_TYPES,
  type ChannelView,
  createChannel,
  getChannel,
  listChannels,
  type NotificationSettings,
  repository,
  updateChannel,
} from '../../../services/notifications/notifications-channels.js';
import {
  resendMessage,
  sendTestMessage,
} from '../../../services/notifications/notifications-delivery.js';
import type {
  NotificationAttempt,
  NotificationMessage,
} from '../../../store/repositories/notifications-repository.js';
import { TenantsRepository } from '../../../store/repositories/tenants-repository.js';
import { type ApiEnv, createRouter, principal, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  IdParams,
  isoInstant,
  jsonBody,
  jsonResponse,
  QueryIdSchema,
  queryNumber,
} from '../../api-schemas.js';

const ChannelTypeSchema = z.enum(CHANNEL_TYPES).openapi('NotificationChannelType');
const LocaleSchema = z.enum(CHANNEL_LOCALES).openapi('NotificationLocale');
const SeveritySchema = z.enum(SEVERITIES);
const MessageStateSchema = z.enum(['pending', 'succeeded', 'failed']);

const ChannelSchema = z
  .object({
    id: z.number().int(),
    tenant: z.string(),
    name: z.string(),
    type: ChannelTypeSchema,
    locale: LocaleSchema,
    settings: z.record(z.string(), z.unknown()).openapi({
      description:
        'Email: host, port, secure, from, to. Robots: `target`, the webhook URL with its token masked',
    }),
    secrets: z.record(z.string(), z.string()).openapi({
      description: 'Each secret set, masked (never shown in clear)',
    }),
    ruleIds: z.array(z.number().int()).openapi({ description: 'Empty = every rule' }),
    minSeverity: SeveritySchema,
    dailyDigest: z.boolean(),
    perMinute: z.number().int(),
    enabled: z.boolean(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('NotificationChannel');

const MessageSchema = z
  .object({
    id: z.number().int(),
    channelId: z.number().int(),
    tenant: z.string(),
    kind: z.string().openapi({ description: 'single, digest, daily or test' }),
    items: z.number().int().openapi({ description: 'Alerts (or digests) the message carries' }),
    title: z.string(),
    body: z.string().openapi({ description: 'The Markdown text sent' }),
    state: MessageStateSchema,
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    retryUntil: z.string(),
    lastStatus: z.number().int().nullable(),
    lastCode: z
      .string()
      .nullable()
      .openapi({ description: 'The robot’s errcode / code, or the SMTP reply code' }),
    lastError: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('NotificationMessage');

const AttemptSchema = z
  .object({
    at: z.string(),
    statusCode: z.number().int().nullable(),
    answerCode: z.string().nullable(),
    answer: z.string().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    manual: z.boolean(),
  })
  .openapi('NotificationAttempt');

const SecretsInput = z.record(z.string(), z.string().max(2000)).openapi({
  description:
    'Robots: webhookUrl and (DingTalk, Feishu signed) secret. Email: user and password. On change, names given replace the stored values',
});

function channelView(channel: ChannelView) {
  return {
    ...channel,
    createdAt: isoInstant(channel.createdAt) as string,
    updatedAt: isoInstant(channel.updatedAt) as string,
  };
}

function messageView(message: NotificationMessage) {
  return {
    id: message.id,
    channelId: message.channelId,
    tenant: message.tenantId,
    kind: message.kind,
    items: message.items,
    title: message.title,
    body: message.body,
    state: message.state,
    attempts: message.attempts,
    nextAttemptAt: isoInstant(message.nextAttemptAt),
    retryUntil: isoInstant(message.retryUntil) as string,
    lastStatus: message.lastStatus,
    lastCode: message.lastCode,
    lastError: message.lastError,
    createdAt: isoInstant(message.createdAt) as string,
  };
}

function attemptView(attempt: NotificationAttempt) {
  return {
    at: isoInstant(attempt.at) as string,
    statusCode: attempt.statusCode,
    answerCode: attempt.answerCode,
    answer: attempt.answer,
    error: attempt.error,
    durationMs: attempt.durationMs,
    manual: attempt.manual,
  };
}

async function tenantsOf(c: Context<ApiEnv>, caller: Principal): Promise<string[]> {
  const tenants = await new TenantsRepository(serviceContext(c).store).listSubtree(
    caller.tenantPath,
  );
  return tenants.map((tenant) => tenant.id);
}

function settingsOf(c: Context<ApiEnv>): NotificationSettings {
  return {
    allowPrivateTargets: c.get('deps').options?.allowPrivateWebhookTargets === true,
    ...(process.env.SIMDOCK_PUBLIC_URL ? { publicUrl: process.env.SIMDOCK_PUBLIC_URL } : {}),
  };
}

const tags = ['notifications'];

const list = createRoute({
  method: 'get',
  path: '/channels',
  tags,
  summary: 'Notification channels of the caller’s subtree (admin; secrets masked)',
  responses: {
    200: jsonResponse(z.object({ channels: z.array(ChannelSchema) }), 'Channels'),
    ...ERROR_RESPONSES,
  },
});

const create = createRoute({
  method: 'post',
  path: '/channels',
  tags,
  summary: 'Create a DingTalk, WeCom, Feishu or email channel',
  request: {
    body: jsonBody(
      z.strictObject({
        name: z.string().min(1).max(100),
        type: ChannelTypeSchema,
        locale: LocaleSchema.optional(),
        settings: z.record(z.string(), z.unknown()).optional(),
        secrets: SecretsInput,
        ruleIds: z.array(z.number().int().positive()).max(500).optional(),
        minSeverity: SeveritySchema.optional(),
        dailyDigest: z.boolean().optional(),
        perMinute: z.number().int().min(1).max(600).optional(),
        enabled: z.boolean().optional(),
        tenant: z.string().min(1).optional(),
      }),
    ),
  },
  responses: { 201: jsonResponse(ChannelSchema, 'The new channel'), ...ERROR_RESPONSES },
});

const show = createRoute({
  method: 'get',
  path: '/channels/{id}',
  tags,
  summary: 'One notification channel (secrets masked)',
  request: { params: IdParams },
  responses: { 200: jsonResponse(ChannelSchema, 'The channel'), ...ERROR_RESPONSES },
});

const update = createRoute({
  method: 'patch',
  path: '/channels/{id}',
  tags,
  summary: 'Change a channel (secrets given replace the stored ones by name)',
  request: {
    params: IdParams,
    body: jsonBody(
      z.strictObject({
        name: z.string().min(1).max(100).optional(),
        locale: LocaleSchema.optional(),
        settings: z.record(z.string(), z.unknown()).optional(),
        secrets: SecretsInput.optional(),
        ruleIds: z.array(z.number().int().positive()).max(500).optional(),
        minSeverity: SeveritySchema.optional(),
        dailyDigest: z.boolean().optional(),
        perMinute: z.number().int().min(1).max(600).optional(),
        enabled: z.boolean().optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse(ChannelSchema, 'The channel'), ...ERROR_RESPONSES },
});

const remove = createRoute({
  method: 'delete',
  path: '/channels/{id}',
  tags,
  summary: 'Delete a channel (its waiting messages are given up; the log is kept)',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(z.object({ deleted: z.literal(true) }), 'Deleted'),
    ...ERROR_RESPONSES,
  },
});

const sendTest = createRoute({
  method: 'post',
  path: '/channels/{id}/test',
  tags,
  summary: 'Send a test message now (it counts toward the channel’s rate)',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      z.object({ message: MessageSchema, attempts: z.array(AttemptSchema) }),
      'The test message and its attempt',
    ),
    ...ERROR_RESPONSES,
  },
});

const messages = createRoute({
  method: 'get',
  path: '/messages',
  tags,
  summary: 'The delivery log: messages sent to channels, newest first',
  request: {
    query: z.strictObject({
      channel: QueryIdSchema.optional(),
      state: MessageStateSchema.optional(),
      limit: queryNumber({ min: 1, max: 500 }).optional(),
      before: QueryIdSchema.optional(),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ messages: z.array(MessageSchema), nextBefore: z.number().int().nullable() }),
      'Messages',
    ),
    ...ERROR_RESPONSES,
  },
});

const message = createRoute({
  method: 'get',
  path: '/messages/{id}',
  tags,
  summary: 'One message with every attempt and the robot’s answers',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      z.object({ message: MessageSchema, attempts: z.array(AttemptSchema) }),
      'The message',
    ),
    ...ERROR_RESPONSES,
  },
});

const resend = createRoute({
  method: 'post',
  path: '/messages/{id}/resend',
  tags,
  summary: 'Send a message again now (retried for 24 hours more if it fails)',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      z.object({ message: MessageSchema, attempts: z.array(AttemptSchema) }),
      'The message and its attempts',
    ),
    ...ERROR_RESPONSES,
  },
});

/**
 * `/api/v1/notifications`: channels (admin of the tenant subtree; secrets masked), a test send,
 * the delivery log with every attempt, and a resend. Outside the caller's subtree: 404.
 */
export function notificationsRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      const caller = principal(c, 'admin');
      const channels = await listChannels(
        serviceContext(c),
        await tenantsOf(c, caller),
        settingsOf(c),
      );
      return c.json({ channels: channels.map(channelView) }, 200);
    })
    .openapi(create, async (c) => {
      const caller = principal(c, 'admin');
      const body = c.req.valid('json');
      const context = serviceContext(c);
      const tenant = await new TenantsRepository(context.store).requireInScope(
        body.tenant ?? caller.tenantId,
        caller.tenantPath,
      );
      const channel = await createChannel(
        context,
        {
          tenantId: tenant.id,
          name: body.name,
          type: body.type,
          locale: body.locale,
          settings: body.settings,
          secrets: body.secrets,
          ruleIds: body.ruleIds,
          minSeverity: body.minSeverity,
          dailyDigest: body.dailyDigest,
          perMinute: body.perMinute,
          enabled: body.enabled,
          createdBy: caller.actor,
        },
        settingsOf(c),
      );
      return c.json(channelView(channel), 201);
    })
    .openapi(messages, async (c) => {
      const caller = principal(c, 'admin');
      const query = c.req.valid('query');
      const limit = query.limit ?? 50;
      const found = await repository(serviceContext(c), settingsOf(c)).listMessages(
        await tenantsOf(c, caller),
        { channelId: query.channel, state: query.state, limit, beforeId: query.before },
      );
      return c.json(
        {
          messages: found.map(messageView),
          nextBefore: found.length === limit ? found.at(-1)!.id : null,
        },
        200,
      );
    })
    .openapi(message, async (c) => {
      const caller = principal(c, 'admin');
      const repo = repository(serviceContext(c), settingsOf(c));
      const found = await repo.getMessage(c.req.valid('param').id, await tenantsOf(c, caller));
      const attempts = await repo.attempts(found.id);
      return c.json({ message: messageView(found), attempts: attempts.map(attemptView) }, 200);
    })
    .openapi(resend, async (c) => {
      const caller = principal(c, 'admin');
      const result = await resendMessage(
        serviceContext(c),
        c.req.valid('param').id,
        await tenantsOf(c, caller),
        settingsOf(c),
      );
      return c.json(
        { message: messageView(result.message), attempts: result.attempts.map(attemptView) },
        200,
      );
    })
    .openapi(show, async (c) => {
      const caller = principal(c, 'admin');
      const channel = await getChannel(
        serviceContext(c),
        c.req.valid('param').id,
        await tenantsOf(c, caller),
        settingsOf(c),
      );
      return c.json(channelView(channel), 200);
    })
    .openapi(update, async (c) => {
      const caller = principal(c, 'admin');
      const channel = await updateChannel(
        serviceContext(c),
        c.req.valid('param').id,
        await tenantsOf(c, caller),
        c.req.valid('json'),
        settingsOf(c),
      );
      return c.json(channelView(channel), 200);
    })
    .openapi(remove, async (c) => {
      const caller = principal(c, 'admin');
      const context = serviceContext(c);
      await repository(context, settingsOf(c)).deleteChannel(
        c.req.valid('param').id,
        await tenantsOf(c, caller),
        context.clock.now(),
      );
      return c.json({ deleted: true as const }, 200);
    })
    .openapi(sendTest, async (c) => {
      const caller = principal(c, 'admin');
      const result = await sendTestMessage(
        serviceContext(c),
        c.req.valid('param').id,
        await tenantsOf(c, caller),
        settingsOf(c),
      );
      return c.json(
        { message: messageView(result.message), attempts: result.attempts.map(attemptView) },
        200,
      );
    });
}
