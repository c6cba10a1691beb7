import { SimdockError } from '../../domain/index.js';
import type { SupplierDefinition } from '../spec/index.js';
import { AgentAdapter } from './agent-adapter.js';
import { AGENT_OPERATIONS, resolveAgentPaths } from './agent-paths.js';
import { type AgentSettings, agentSettingsSchema } from './agent-settings.js';
import { agentSimulation } from './agent-simulation.js';

/** The agent open API supplier type (`type: agent`). */
export const agentDefinition: SupplierDefinition<AgentSettings> = {
  type: 'agent',
  name: 'Reseller open API for agents (V2.0)',
  settingsSchema: agentSettingsSchema,
  simulator: agentSimulation,
  credentialFields: [
    {
      name: 'baseUrl',
      label: { en: 'API base URL', 'zh-CN': '接口地址' },
      kind: 'url',
      required: true,
      example: 'https://x.cn',
      description: {
        en: 'The agent back office origin; a trailing /admin is dropped.',
        'zh-CN': '代理商后台的域名;末尾的 /admin 会被去掉。',
      },
    },
    {
      name: 'appId',
      label: { en: 'appID', 'zh-CN': 'appID' },
      kind: 'text',
      required: true,
      example: 'qwe123',
    },
    {
      name: 'secret',
      label: { en: 'Secret', 'zh-CN': '密钥' },
      kind: 'secret',
      required: true,
    },
    {
      name: 'paths',
      label: { en: 'Path overrides', 'zh-CN': '接口路径覆盖' },
      kind: 'map',
      required: false,
      keys: [...AGENT_OPERATIONS],
      description: {
        en: 'Only queryDeviceFlow has a published path; set the others if the platform differs from /openapi/iot/<operation>.',
        'zh-CN': '仅 queryDeviceFlow 有公开路径;其他接口若不是 /openapi/iot/<接口名>,在此设置。',
      },
    },
  ],
  parseSettings(raw) {
    const parsed = agentSettingsSchema.safeParse(raw);
    if (!parsed.success) {
      const message = parsed.error.issues
        .map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`)
        .join('; ');
      throw new SimdockError('config_error', `agent account settings: ${message}`);
    }
    resolveAgentPaths(parsed.data.paths);
    return parsed.data;
  },
  create(accountId, settings, runtime) {
    return new AgentAdapter(accountId, settings, runtime);
  },
};
