import { z } from 'zod';
import { SimdockError } from '../../domain/index.js';
import type { SupplierDefinition } from '../spec/index.js';
import { createOnelinkV5, type OnelinkV5Settings } from './onelink-v5-adapter.js';
import {
  ONELINK_V5_DEFAULT_BASE_URL,
  ONELINK_V5_DEFAULT_COOLDOWN_MINUTES,
} from './onelink-v5-protocol.js';
import { onelinkV5Simulation } from './onelink-v5-simulation.js';

const settingsSchema = z.object({
  baseUrl: z.url().optional(),
  appid: z.string().trim().min(1),
  password: z.string().min(1),
  // Numbers arrive as text from environment variables and forms.
  cooldownMinutes: z.coerce
    .number()
    .min(0)
    .max(24 * 60)
    .optional(),
  // Wait between `query/sim-batch-result` polls (default 5 s), as the agent type offers.
  pollIntervalMs: z.coerce.number().int().min(1).max(600_000).optional(),
  // The batch change's operType codes are not published (see ONELINK_V5_BATCH_OPER_TYPES):
  // an account whose platform uses other codes sets them here.
  batchOperTypes: z
    .object({
      pause: z.string().min(1),
      resume: z.string().min(1),
      activateFromStock: z.string().min(1),
      activate: z.string().min(1),
    })
    .partial()
    .strict()
    .optional(),
});

/** The `onelink-v5` supplier type: China Mobile OneLink, the current (v5) API. */
export const onelinkV5Definition: SupplierDefinition<OnelinkV5Settings> = {
  type: 'onelink-v5',
  name: 'China Mobile OneLink (v5)',
  settingsSchema,
  simulator: onelinkV5Simulation,
  credentialFields: [
    {
      name: 'baseUrl',
      label: { en: 'API root', 'zh-CN': '接口地址' },
      kind: 'url',
      required: false,
      example: ONELINK_V5_DEFAULT_BASE_URL,
    },
    {
      name: 'appid',
      label: { en: 'App ID', 'zh-CN': '应用编码 (appid)' },
      kind: 'text',
      required: true,
      example: '100001',
    },
    {
      name: 'password',
      label: { en: 'Password', 'zh-CN': '密码' },
      kind: 'secret',
      required: true,
    },
    {
      name: 'cooldownMinutes',
      label: {
        en: 'Cooldown after a status change (minutes)',
        'zh-CN': '状态变更后锁定时长(分钟)',
      },
      kind: 'text',
      required: false,
      example: String(ONELINK_V5_DEFAULT_COOLDOWN_MINUTES),
      description: {
        en: 'OneLink refuses a second change of the same card within this time; simdock waits.',
        'zh-CN': '同一卡号在此时间内不能重复变更状态, simdock 会自动等待。',
      },
    },
  ],
  parseSettings(raw) {
    const parsed = settingsSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`,
      );
      throw new SimdockError('config_error', `onelink-v5 settings: ${problems.join('; ')}`, {
        details: { problems },
      });
    }
    return parsed.data;
  },
  create(accountId, settings, runtime) {
    const { batchOperTypes, ...rest } = settings as OnelinkV5Settings & {
      batchOperTypes?: Record<string, string>;
    };
    return createOnelinkV5({
      ...runtime,
      ...rest,
      accountId,
      ...(batchOperTypes ? { client: { batchOperTypes } } : {}),
    });
  },
};
