import { z } from 'zod';
import { SimdockError } from '../../domain/index.js';
import type { SupplierDefinition, SupplierRuntime } from '../spec/index.js';
import { M2mAdapter, type M2mSettings } from './m2m10086-adapter.js';
import { m2m10086NoticeHandler } from './m2m10086-notice-handler.js';
import { M2M_DEFAULT_BASE_URL, M2M_ENDPOINTS, M2M_SUPPLIER } from './m2m10086-protocol.js';
import { m2m10086Simulation } from './m2m10086-simulation.js';

const settingsSchema = z.object({
  baseUrl: z.url().optional(),
  // Field lengths of m2m10086-api-v3.txt §2.1.1.
  partnercode: z.string().min(1).max(10),
  servicecode: z.string().min(1).max(16),
  password: z.string().min(1),
  paths: z.partialRecord(z.enum(M2M_ENDPOINTS), z.string().startsWith('/')).optional(),
});

/** The M2M card platform (m2m10086-api-v3.txt) as a simdock supplier type. */
export const m2m10086Definition: SupplierDefinition<M2mSettings> = {
  type: M2M_SUPPLIER,
  name: 'M2M card platform (api.m2m10086.com)',
  settingsSchema,
  simulator: m2m10086Simulation,
  notices: m2m10086NoticeHandler,
  credentialFields: [
    {
      name: 'baseUrl',
      label: { en: 'Server address', 'zh-CN': '接口地址' },
      kind: 'url',
      required: false,
      example: M2M_DEFAULT_BASE_URL,
    },
    {
      name: 'partnercode',
      label: { en: 'Partner code', 'zh-CN': '第三方平台编码' },
      kind: 'text',
      required: true,
      description: {
        en: 'M2M platform: Basic information → Interface access information',
        'zh-CN': 'M2M 卡管理平台【基础信息】->【接口接入信息】',
      },
    },
    {
      name: 'servicecode',
      label: { en: 'Service code', 'zh-CN': '业务编码' },
      kind: 'text',
      required: true,
    },
    {
      name: 'password',
      label: { en: 'Interface password', 'zh-CN': '接口密码' },
      kind: 'secret',
      required: true,
    },
    {
      name: 'paths',
      label: { en: 'Endpoint paths', 'zh-CN': '接口路径' },
      kind: 'map',
      required: false,
      keys: [...M2M_ENDPOINTS],
      description: {
        en: 'Overrides single paths; the document gives one address for send results and replies',
        'zh-CN': '覆盖单个接口路径；文档中发送结果与短信接收使用同一地址',
      },
    },
  ],
  parseSettings(raw) {
    const parsed = settingsSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`,
      );
      throw new SimdockError('config_error', `m2m10086 settings: ${problems.join('; ')}`);
    }
    return parsed.data;
  },
  create(accountId: string, settings: M2mSettings, runtime: SupplierRuntime) {
    return new M2mAdapter(accountId, settings, runtime);
  },
};

/** Creates an adapter directly (the definition's `create` without the registry). */
export function createM2m10086(
  accountId: string,
  settings: M2mSettings,
  runtime: SupplierRuntime = {},
): M2mAdapter {
  return new M2mAdapter(accountId, settings, runtime);
}
