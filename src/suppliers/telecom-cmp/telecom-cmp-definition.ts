import { z } from 'zod';
import { SimdockError } from '../../domain/index.js';
import type { SupplierDefinition } from '../spec/index.js';
import { createTelecomCmp, type TelecomCmpAdapterOptions } from './telecom-cmp-adapter.js';
import { TELECOM_CMP_DEFAULT_BASE_URL, TELECOM_CMP_DEFAULT_PATHS } from './telecom-cmp-protocol.js';
import { telecomCmpSimulation } from './telecom-cmp-simulation.js';

/** A `telecom-cmp` account's settings. */
export interface TelecomCmpSettings {
  baseUrl?: string;
  userId: string;
  password: string;
  /** The 9-character key (k1 k2 k3). */
  key: string;
  /** Path overrides: `query`, `change`, or one method by name (e.g. `disabledNumber`). */
  paths?: Record<string, string>;
  /** `offNetAction` type: 1 total (default), 2 beyond the package. */
  offNetType?: '1' | '2';
}

const settingsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  userId: z.string().trim().min(1),
  password: z.string().min(1),
  key: z.string().length(9, 'the CMP key has 9 characters (three keys of 3)'),
  paths: z.record(z.string(), z.string().startsWith('/')).optional(),
  offNetType: z.enum(['1', '2']).optional(),
});

/** The `telecom-cmp` supplier type: China Telecom's 4G self-management CMP. */
export const telecomCmpDefinition: SupplierDefinition<TelecomCmpSettings> = {
  type: 'telecom-cmp',
  name: 'China Telecom 4G CMP (自管理平台)',
  settingsSchema,
  simulator: telecomCmpSimulation,
  credentialFields: [
    {
      name: 'baseUrl',
      label: { en: 'API root', 'zh-CN': '接口地址' },
      kind: 'url',
      required: false,
      example: TELECOM_CMP_DEFAULT_BASE_URL,
    },
    {
      name: 'userId',
      label: { en: 'User ID', 'zh-CN': '用户 ID (user_id)' },
      kind: 'text',
      required: true,
    },
    {
      name: 'password',
      label: { en: 'Password', 'zh-CN': '密码' },
      kind: 'secret',
      required: true,
    },
    {
      name: 'key',
      label: { en: 'Key (9 characters)', 'zh-CN': '密钥 (9 位)' },
      kind: 'secret',
      required: true,
      description: {
        en: 'Cut into three 3-character DES keys to encrypt the password and sign each call.',
        'zh-CN': '平均分为三段, 用于加密密码和签名。',
      },
    },
    {
      name: 'paths',
      label: { en: 'Path overrides', 'zh-CN': '接口路径覆盖' },
      kind: 'map',
      required: false,
      keys: [...Object.keys(TELECOM_CMP_DEFAULT_PATHS), 'disabledNumber', 'offNetAction'],
    },
  ],
  parseSettings(raw) {
    const parsed = settingsSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`,
      );
      throw new SimdockError('config_error', `telecom-cmp settings: ${problems.join('; ')}`, {
        details: { problems },
      });
    }
    return parsed.data as TelecomCmpSettings;
  },
  create(accountId, settings, runtime) {
    return createTelecomCmp({ ...runtime, ...settings, accountId } as TelecomCmpAdapterOptions);
  },
};
