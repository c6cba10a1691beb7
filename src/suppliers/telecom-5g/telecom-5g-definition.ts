import { z } from 'zod';
import { SimdockError } from '../../domain/index.js';
import type { SupplierDefinition } from '../spec/index.js';
import { createTelecom5g, type Telecom5gAdapterOptions } from './telecom-5g-adapter.js';
import {
  TELECOM_5G_BATCH_LIMIT,
  TELECOM_5G_DEFAULT_BASE_URL,
  TELECOM_5G_DEFAULT_PATHS,
  type Telecom5gOperation,
} from './telecom-5g-protocol.js';
import { telecom5gSimulation } from './telecom-5g-simulation.js';

/** A `telecom-5g` account's settings. */
export interface Telecom5gSettings {
  baseUrl?: string;
  appKey: string;
  secretKey: string;
  custNumber: string;
  /** Path overrides by operation name (see TELECOM_5G_DEFAULT_PATHS). */
  paths?: Partial<Record<Telecom5gOperation, string>>;
  /** Numbers per batch call (default 100; BQ018's documented limit). */
  batchSize?: number;
  /** `offNetAction` type: 1 total (default), 2 beyond the package. */
  offNetType?: '1' | '2';
}

const operations = Object.keys(TELECOM_5G_DEFAULT_PATHS) as [
  Telecom5gOperation,
  ...Telecom5gOperation[],
];

const settingsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  appKey: z.string().trim().min(1),
  secretKey: z.string().min(1),
  custNumber: z.string().trim().min(1),
  paths: z.partialRecord(z.enum(operations), z.string().startsWith('/')).optional(),
  batchSize: z.coerce.number().int().min(1).max(TELECOM_5G_BATCH_LIMIT).optional(),
  offNetType: z.enum(['1', '2']).optional(),
});

/** The `telecom-5g` supplier type: China Telecom's 5G CMP unified API gateway. */
export const telecom5gDefinition: SupplierDefinition<Telecom5gSettings> = {
  type: 'telecom-5g',
  name: 'China Telecom 5G CMP',
  settingsSchema,
  simulator: telecom5gSimulation,
  credentialFields: [
    {
      name: 'baseUrl',
      label: { en: 'API root', 'zh-CN': '接口地址' },
      kind: 'url',
      required: false,
      example: TELECOM_5G_DEFAULT_BASE_URL,
    },
    { name: 'appKey', label: { en: 'App key', 'zh-CN': 'AppKey' }, kind: 'text', required: true },
    {
      name: 'secretKey',
      label: { en: 'Secret key', 'zh-CN': '密钥 (secretKey)' },
      kind: 'secret',
      required: true,
    },
    {
      name: 'custNumber',
      label: { en: 'Customer number', 'zh-CN': '企业编码 (custNumber)' },
      kind: 'text',
      required: true,
      description: {
        en: 'Group management → enterprise id; the batch card queries need it.',
        'zh-CN': '群组管理 → 企业 id, 批量查询需要。',
      },
    },
    {
      name: 'paths',
      label: { en: 'Path overrides', 'zh-CN': '接口路径覆盖' },
      kind: 'map',
      required: false,
      keys: operations,
    },
    {
      name: 'batchSize',
      label: { en: 'Numbers per batch call', 'zh-CN': '每次批量号码数' },
      kind: 'text',
      required: false,
      example: String(TELECOM_5G_BATCH_LIMIT),
    },
  ],
  parseSettings(raw) {
    const parsed = settingsSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`,
      );
      throw new SimdockError('config_error', `telecom-5g settings: ${problems.join('; ')}`, {
        details: { problems },
      });
    }
    return parsed.data as Telecom5gSettings;
  },
  create(accountId, settings, runtime) {
    return createTelecom5g({ ...runtime, ...settings, accountId } as Telecom5gAdapterOptions);
  },
};
