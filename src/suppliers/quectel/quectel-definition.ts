import { z } from 'zod';
import { SimdockError } from '../../domain/index.js';
import type { SupplierDefinition } from '../spec/index.js';
import { createQuectelAdapter, type QuectelSettings } from './quectel-adapter.js';
import { quectelNoticeHandler } from './quectel-notice-handler.js';
import { QUECTEL_ROUTER_URL } from './quectel-protocol.js';
import { quectelSimulation } from './quectel-simulation.js';

const settingsSchema = z.object({
  baseUrl: z.url().default(QUECTEL_ROUTER_URL),
  appKey: z.string().min(1),
  secret: z.string().min(1),
  /** Not sent to Quectel: simdock puts it in the callback URLs it registers (`?token=`). */
  callbackToken: z.string().min(1).optional(),
});

/** The Quectel supplier type: `{id, type: quectel, baseUrl, appKey, secret}` in configuration. */
export const quectelDefinition: SupplierDefinition<QuectelSettings> = {
  type: 'quectel',
  name: 'Quectel connectivity (移远物联网连接服务)',
  settingsSchema,
  simulator: quectelSimulation,
  notices: quectelNoticeHandler,
  credentialFields: [
    {
      name: 'baseUrl',
      label: { en: 'Router URL', 'zh-CN': '接口地址' },
      kind: 'url',
      required: false,
      example: QUECTEL_ROUTER_URL,
      description: {
        en: 'The single router every method is posted to.',
        'zh-CN': '所有接口统一 POST 到该地址。',
      },
    },
    {
      name: 'appKey',
      label: { en: 'App key', 'zh-CN': '应用键 appKey' },
      kind: 'text',
      required: true,
      example: '000001',
      description: {
        en: 'Shown on the API management page of the Quectel portal.',
        'zh-CN': '登录移远平台, 在 API 管理页面查看。',
      },
    },
    {
      name: 'secret',
      label: { en: 'Secret', 'zh-CN': '应用密钥 secret' },
      kind: 'secret',
      required: true,
      description: { en: 'Signs every request (SHA1).', 'zh-CN': '用于请求签名 (SHA1)。' },
    },
    {
      name: 'callbackToken',
      label: { en: 'Callback token', 'zh-CN': '回调令牌' },
      kind: 'secret',
      required: false,
      description: {
        en: 'Quectel callbacks carry no signature: simdock accepts them only with ?token=<this> in the URL.',
        'zh-CN': '移远回调不带签名: 回调地址须附 ?token=<该值>, simdock 才会接收。',
      },
    },
  ],
  parseSettings(raw) {
    const result = settingsSchema.safeParse(raw);
    if (!result.success) {
      const problems = result.error.issues
        .map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`)
        .join('; ');
      throw new SimdockError('config_error', `quectel account settings: ${problems}`);
    }
    return result.data;
  },
  create: (accountId, settings, runtime) => createQuectelAdapter(accountId, settings, runtime),
};
