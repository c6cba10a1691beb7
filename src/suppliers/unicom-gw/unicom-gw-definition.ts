import { z } from 'zod';
import { SimdockError } from '../../domain/index.js';
import type { SupplierDefinition } from '../spec/index.js';
import { createUnicomGw, type UnicomGwSettings } from './unicom-gw-adapter.js';
import {
  resolveUnicomGwPaths,
  UNICOM_GW_DEFAULT_BASE_URL,
  UNICOM_GW_DEFAULT_RATE_LIMIT,
  UNICOM_GW_DETAILS_BATCH,
  UNICOM_GW_OPERATIONS,
} from './unicom-gw-protocol.js';
import { unicomGwSimulation } from './unicom-gw-simulation.js';

const settingsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  appId: z.string().trim().min(1),
  appSecret: z.string().min(1),
  openId: z.string().trim().min(1),
  paths: z.record(z.string(), z.string()).optional(),
  // Numbers arrive as text from environment variables and forms.
  detailsBatch: z.coerce.number().int().min(1).max(UNICOM_GW_DETAILS_BATCH).optional(),
  sessionBatch: z.coerce.number().int().min(1).max(200).optional(),
  asynchronous: z.enum(['0', '1']).optional(),
  pollIntervalMs: z.coerce.number().int().min(1).max(600_000).optional(),
  settleTimeoutMs: z.coerce.number().int().min(0).optional(),
  billingCycleStartDay: z.coerce.number().int().min(1).max(28).optional(),
  ratePlanLimitsMb: z.record(z.string(), z.number().positive()).optional(),
  capCancelOverride: z.enum(['PERMANENT_OVERRIDE', 'TEMPORARY_OVERRIDE']).optional(),
  auditDaysOfHistory: z.coerce.number().int().min(1).max(365).optional(),
});

/** The `unicom-gw` supplier type: China Unicom's 雁飞智连 IoT gateway. */
export const unicomGwDefinition: SupplierDefinition<UnicomGwSettings> = {
  type: 'unicom-gw',
  name: 'China Unicom IoT gateway (雁飞智连)',
  settingsSchema,
  simulator: unicomGwSimulation,
  credentialFields: [
    {
      name: 'baseUrl',
      label: { en: 'Gateway address', 'zh-CN': '网关地址' },
      kind: 'url',
      required: false,
      example: UNICOM_GW_DEFAULT_BASE_URL,
    },
    {
      name: 'appId',
      label: { en: 'App ID (app_id)', 'zh-CN': '应用ID (app_id)' },
      kind: 'text',
      required: true,
    },
    {
      name: 'appSecret',
      label: { en: 'App secret (app_secret)', 'zh-CN': '应用密钥 (app_secret)' },
      kind: 'secret',
      required: true,
    },
    {
      name: 'openId',
      label: { en: 'Open ID', 'zh-CN': '客户 openId' },
      kind: 'text',
      required: true,
    },
    {
      name: 'paths',
      label: { en: 'Path overrides', 'zh-CN': '接口路径覆盖' },
      kind: 'map',
      required: false,
      keys: [...UNICOM_GW_OPERATIONS],
      description: {
        en: 'Every operation is /api/<operation>/V1/1Main/vV1.1 unless set here.',
        'zh-CN': '默认 /api/<接口名>/V1/1Main/vV1.1,不同时在此设置。',
      },
    },
    {
      name: 'ratePlanLimitsMb',
      label: { en: 'Rate plan usage limits (MB)', 'zh-CN': '资费计划用量上限(MB)' },
      kind: 'map',
      required: false,
      description: {
        en: "Unicom's carrier-side cap is the rate plan's usage limit: give each plan's size so simdock can show it.",
        'zh-CN': '联通达量断网上限即资费计划的用量上限,在此填写各资费计划的上限以便显示。',
      },
    },
  ],
  parseSettings(raw) {
    const parsed = settingsSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = issue.path.map(String).join('.') || '(settings)';
      throw new SimdockError('config_error', `unicom-gw setting "${key}": ${issue.message}`, {
        details: { key, issues: parsed.error.issues.map((item) => item.message) },
      });
    }
    resolveUnicomGwPaths(parsed.data.paths);
    return parsed.data;
  },
  // cn-carriers-notes.md: the rate limit is not published, start at 5 calls/s (a guess).
  defaultRateLimit: UNICOM_GW_DEFAULT_RATE_LIMIT,

  create(accountId, settings, runtime) {
    return createUnicomGw({ ...runtime, ...settings, accountId });
  },
};
