import { isIP } from 'node:net';
import { z } from 'zod';
import { SimdockError } from '../../domain/index.js';
import { SEVERITIES, type Severity } from '../../domain/rules-model.js';
import {
  type NotificationChannelRecord,
  NotificationsRepository,
  type NotificationTenantFilter,
} from '../../store/repositories/notifications-repository.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import type { SecretSealer } from '../../store/secret-sealer.js';
import type { ServiceContext } from '../context.js';
import {
  isPrivateAddress,
  systemResolver,
  type TargetPolicy,
} from '../webhooks/webhooks-targets.js';
import { maskRobotUrl, ROBOT_TYPES, type RobotType } from './notifications-robots.js';

export const CHANNEL_TYPES = [...ROBOT_TYPES, 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export const CHANNEL_LOCALES = ['zh-CN', 'en'] as const;
export type ChannelLocale = (typeof CHANNEL_LOCALES)[number];

/** Robots take about 20 messages a minute (DingTalk and WeCom: 20; Feishu: 100). */
export const DEFAULT_PER_MINUTE = 20;
export const MAX_PER_MINUTE: Record<ChannelType, number> = {
  dingtalk: 20,
  wecom: 20,
  feishu: 100,
  email: 600,
};

/** How notification services are set up. */
export interface NotificationSettings extends TargetPolicy {
  sealer?: SecretSealer;
  /** The console's public URL, for links in messages (default http://localhost:8080). */
  publicUrl?: string;
}

const RobotSecretsSchema = z.strictObject({
  webhookUrl: z.string().min(1).max(2000),
  secret: z.string().min(1).max(200).optional(),
});

const EmailSettingsSchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65_535),
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  from: z.string().min(3).max(320),
  to: z.array(z.string().email()).min(1).max(50),
});

const EmailSecretsSchema = z.strictObject({
  user: z.string().min(1).max(320).optional(),
  password: z.string().min(1).max(500).optional(),
});

export type EmailSettings = z.infer<typeof EmailSettingsSchema>;

export interface ChannelInput {
  tenantId: string;
  name: string;
  type: ChannelType;
  locale?: ChannelLocale;
  /** Email: host, port, secure, from, to. Robots: none. */
  settings?: Record<string, unknown>;
  /** Robots: webhookUrl and (signed robots) secret. Email: user and password. */
  secrets: Record<string, string>;
  ruleIds?: number[];
  minSeverity?: Severity;
  dailyDigest?: boolean;
  perMinute?: number;
  enabled?: boolean;
  createdBy?: string | null;
}

export interface ChannelChanges {
  name?: string;
  locale?: ChannelLocale;
  settings?: Record<string, unknown>;
  /** Secrets given replace the stored ones by name; a name absent keeps its value. */
  secrets?: Record<string, string>;
  ruleIds?: number[];
  minSeverity?: Severity;
  dailyDigest?: boolean;
  perMinute?: number;
  enabled?: boolean;
}

/** A channel as shown: settings in clear, secrets masked. */
export interface ChannelView {
  id: number;
  tenant: string;
  name: string;
  type: ChannelType;
  locale: ChannelLocale;
  /** Email: host, port, secure, from, to. Robots: `target`, the webhook URL with its token masked. */
  settings: Record<string, unknown>;
  /** Each secret set, masked (`••••` and at most its last 4 characters for a URL token). */
  secrets: Record<string, string>;
  ruleIds: number[];
  minSeverity: Severity;
  dailyDigest: boolean;
  perMinute: number;
  enabled: boolean;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export function isRobot(type: string): type is RobotType {
  return (ROBOT_TYPES as readonly string[]).includes(type);
}

function invalid(message: string, field: string): SimdockError {
  return new SimdockError('invalid_argument', message, { details: { field } });
}

/** Checks a robot URL without repeating it in errors (it holds the robot's token). */
async function checkRobotUrl(value: string, policy: TargetPolicy): Promise<void> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('secrets.webhookUrl is not a URL', 'secrets.webhookUrl');
  }
  if (url.protocol !== 'https:' && !(policy.allowPrivateTargets && url.protocol === 'http:')) {
    throw invalid('secrets.webhookUrl must be https', 'secrets.webhookUrl');
  }
  if (url.username || url.password) {
    throw invalid('secrets.webhookUrl must not carry credentials', 'secrets.webhookUrl');
  }
  if (policy.allowPrivateTargets) return;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await (policy.resolve ?? systemResolver)(host);
  } catch (error) {
    throw new SimdockError('invalid_argument', `robot host "${host}" does not resolve`, {
      details: { field: 'secrets.webhookUrl', host },
      cause: error,
    });
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new SimdockError(
      'invalid_argument',
      `robot host "${host}" resolves to a private, loopback or link-local address; allow private targets in the configuration to use it`,
      { details: { field: 'secrets.webhookUrl', host } },
    );
  }
}

function zodInvalid(error: z.ZodError, prefix: string): SimdockError {
  const issue = error.issues[0]!;
  const field = [prefix, ...issue.path.map(String)].join('.');
  return invalid(`${field}: ${issue.message}`, field);
}

/** The checked settings and secrets of a channel type (the secrets never in an error). */
async function checkConfig(
  type: ChannelType,
  settings: Record<string, unknown> | undefined,
  secrets: Record<string, string>,
  policy: TargetPolicy,
): Promise<{ settings: Record<string, unknown>; secrets: Record<string, string> }> {
  if (isRobot(type)) {
    if (settings && Object.keys(settings).length > 0) {
      throw invalid(`a ${type} channel has no settings (its URL is a secret)`, 'settings');
    }
    const parsed = RobotSecretsSchema.safeParse(secrets);
    if (!parsed.success) throw zodInvalid(parsed.error, 'secrets');
    if (type === 'wecom' && parsed.data.secret) {
      throw invalid('a WeCom group robot has no signing secret', 'secrets.secret');
    }
    await checkRobotUrl(parsed.data.webhookUrl, policy);
    return {
      settings: { target: maskRobotUrl(parsed.data.webhookUrl) },
      secrets: { ...parsed.data } as Record<string, string>,
    };
  }
  const parsedSettings = EmailSettingsSchema.safeParse(settings ?? {});
  if (!parsedSettings.success) throw zodInvalid(parsedSettings.error, 'settings');
  const parsedSecrets = EmailSecretsSchema.safeParse(secrets);
  if (!parsedSecrets.success) throw zodInvalid(parsedSecrets.error, 'secrets');
  if ((parsedSecrets.data.user === undefined) !== (parsedSecrets.data.password === undefined)) {
    throw invalid('secrets.user and secrets.password go together', 'secrets');
  }
  return { settings: parsedSettings.data, secrets: parsedSecrets.data as Record<string, string> };
}

function checkRouting(input: {
  type: ChannelType;
  perMinute?: number;
  ruleIds?: number[];
  minSeverity?: string;
}): void {
  if (input.perMinute !== undefined) {
    const max = MAX_PER_MINUTE[input.type];
    if (!Number.isInteger(input.perMinute) || input.perMinute < 1 || input.perMinute > max) {
      throw invalid(`perMinute must be a whole number from 1 to ${max}`, 'perMinute');
    }
  }
  if (input.ruleIds?.some((id) => !Number.isInteger(id) || id < 1)) {
    throw invalid('ruleIds must be rule ids', 'ruleIds');
  }
  if (
    input.minSeverity !== undefined &&
    !(SEVERITIES as readonly string[]).includes(input.minSeverity)
  ) {
    throw invalid(`minSeverity must be one of ${SEVERITIES.join(', ')}`, 'minSeverity');
  }
}

/** Creates a channel after checking its settings, secrets and tenant. */
export async function createChannel(
  context: ServiceContext,
  input: ChannelInput,
  settings: NotificationSettings = {},
): Promise<ChannelView> {
  if (!(CHANNEL_TYPES as readonly string[]).includes(input.type)) {
    throw invalid(`type must be one of ${CHANNEL_TYPES.join(', ')}`, 'type');
  }
  if (!input.name.trim()) throw invalid('name is empty', 'name');
  checkRouting(input);
  const tenant = await new TenantsRepository(context.store).get(input.tenantId);
  if (!tenant) {
    throw new SimdockError('not_found', `no tenant "${input.tenantId}"`, {
      details: { tenant: input.tenantId },
    });
  }
  const config = await checkConfig(input.type, input.settings, input.secrets, settings);
  const record = await repository(context, settings).createChannel(
    {
      tenantId: tenant.id,
      name: input.name.trim(),
      type: input.type,
      locale: input.locale ?? 'zh-CN',
      settings: config.settings,
      secrets: config.secrets,
      ruleIds: [...new Set(input.ruleIds ?? [])],
      minSeverity: input.minSeverity ?? 'info',
      dailyDigest: input.dailyDigest ?? false,
      perMinute: input.perMinute ?? DEFAULT_PER_MINUTE,
      enabled: input.enabled ?? true,
      createdBy: input.createdBy ?? null,
    },
    context.clock.now(),
  );
  return channelView(record, config.secrets);
}

/** Changes a channel; secrets given are merged over the stored ones and checked again. */
export async function updateChannel(
  context: ServiceContext,
  id: number,
  tenants: NotificationTenantFilter,
  changes: ChannelChanges,
  settings: NotificationSettings = {},
): Promise<ChannelView> {
  const repo = repository(context, settings);
  const current = await repo.getChannel(id, tenants);
  const type = current.type as ChannelType;
  if (changes.name !== undefined && !changes.name.trim()) throw invalid('name is empty', 'name');
  checkRouting({ type, ...changes });
  let config: { settings: Record<string, unknown>; secrets: Record<string, string> } | undefined;
  if (changes.settings !== undefined || changes.secrets !== undefined) {
    const stored = await repo.channelSecrets(id);
    const currentSettings = isRobot(type) ? {} : current.settings;
    config = await checkConfig(
      type,
      changes.settings ?? currentSettings,
      { ...stored, ...(changes.secrets ?? {}) },
      settings,
    );
  }
  const record = await repo.updateChannel(
    id,
    tenants,
    {
      name: changes.name?.trim(),
      locale: changes.locale,
      settings: config?.settings,
      secrets: config?.secrets,
      ruleIds: changes.ruleIds ? [...new Set(changes.ruleIds)] : undefined,
      minSeverity: changes.minSeverity,
      dailyDigest: changes.dailyDigest,
      perMinute: changes.perMinute,
      enabled: changes.enabled,
    },
    context.clock.now(),
  );
  return channelView(record, config?.secrets ?? (await repo.channelSecrets(id)));
}

export async function listChannels(
  context: ServiceContext,
  tenants: NotificationTenantFilter,
  settings: NotificationSettings = {},
): Promise<ChannelView[]> {
  const repo = repository(context, settings);
  const records = await repo.listChannels(tenants);
  return Promise.all(
    records.map(async (record) => channelView(record, await secretsOf(repo, record))),
  );
}

export async function getChannel(
  context: ServiceContext,
  id: number,
  tenants: NotificationTenantFilter,
  settings: NotificationSettings = {},
): Promise<ChannelView> {
  const repo = repository(context, settings);
  const record = await repo.getChannel(id, tenants);
  return channelView(record, await secretsOf(repo, record));
}

/** The masked names of a channel's secrets; a channel whose secrets cannot be read shows none. */
async function secretsOf(repo: NotificationsRepository, record: NotificationChannelRecord) {
  try {
    return await repo.channelSecrets(record.id);
  } catch {
    return {};
  }
}

/** A channel as shown: settings in clear, every secret masked. */
export function channelView(
  record: NotificationChannelRecord,
  secrets: Record<string, string> = {},
): ChannelView {
  return {
    id: record.id,
    tenant: record.tenantId,
    name: record.name,
    type: record.type as ChannelType,
    locale: record.locale as ChannelLocale,
    settings: record.settings,
    secrets: maskSecrets(secrets),
    ruleIds: record.ruleIds,
    minSeverity: record.minSeverity as Severity,
    dailyDigest: record.dailyDigest,
    perMinute: record.perMinute,
    enabled: record.enabled,
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** Masks every secret: a robot URL keeps its host and the last 4 characters of its token. */
export function maskSecrets(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secrets).map(([name, value]) => [
      name,
      name === 'webhookUrl' ? maskRobotUrl(value) : '••••',
    ]),
  );
}

export function repository(
  context: ServiceContext,
  settings: NotificationSettings,
): NotificationsRepository {
  return new NotificationsRepository(context.store, settings.sealer);
}
