import { z } from 'zod';
import { SimdockError } from '../../domain/index.js';
import { type SupplierDefinition, supplierTransport } from '../spec/index.js';
import { createOnelinkV2Adapter, ONELINK_V2_SUPPLIER } from './onelink-v2-adapter.js';
import { createOnelinkV2Client } from './onelink-v2-client.js';
import {
  ONELINK_V2_APPID_MAX_LENGTH,
  ONELINK_V2_DEFAULT_BASE_URL,
  ONELINK_V2_DEFAULT_RATE_LIMIT,
  ONELINK_V2_ENDPOINTS,
} from './onelink-v2-protocol.js';
import { onelinkV2Simulation } from './onelink-v2-simulation.js';

/** The settings of one OneLink v2 enterprise account. */
export interface OnelinkV2Settings {
  /** The API root, version included. */
  baseUrl: string;
  appid: string;
  password: string;
  /** The ebid of each ability the account subscribes to; at least one. */
  ebids: { batchquerycardinfo?: string; batchgprsusedbydate?: string };
  /** GET (default) or POST; both are documented. */
  method?: 'GET' | 'POST';
}

const text = z.string().trim().min(1, 'must not be empty');

const settingsSchema = z.object({
  baseUrl: z
    .string()
    .trim()
    .default(ONELINK_V2_DEFAULT_BASE_URL)
    .refine((value) => URL.canParse(value) && /^https?:/.test(value), 'must be an http(s) URL'),
  appid: text.max(
    ONELINK_V2_APPID_MAX_LENGTH,
    `must be at most ${ONELINK_V2_APPID_MAX_LENGTH} characters (transid ≤ 48)`,
  ),
  password: text,
  ebids: z
    .object({ batchquerycardinfo: text.optional(), batchgprsusedbydate: text.optional() })
    .refine(
      (ebids) => ONELINK_V2_ENDPOINTS.some((endpoint) => ebids[endpoint]),
      `needs the ebid of at least one of ${ONELINK_V2_ENDPOINTS.join(', ')}`,
    ),
  method: z.enum(['GET', 'POST']).optional(),
});

/** The `onelink-v2` supplier type: China Mobile OneLink, CMIOT API v2. */
export const onelinkV2Definition: SupplierDefinition<OnelinkV2Settings> = {
  type: ONELINK_V2_SUPPLIER,
  name: 'China Mobile OneLink (API v2)',
  settingsSchema,
  simulator: onelinkV2Simulation,
  credentialFields: [
    {
      name: 'baseUrl',
      label: { en: 'API address', 'zh-CN': '接口地址' },
      kind: 'url',
      required: false,
      example: ONELINK_V2_DEFAULT_BASE_URL,
      description: {
        en: 'The API root with its version; a bare origin gets /v2.',
        'zh-CN': '含版本号的接口根地址;只填域名时自动补 /v2。',
      },
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
      label: { en: 'Password', 'zh-CN': '密码 (password)' },
      kind: 'secret',
      required: true,
    },
    {
      name: 'ebids',
      label: { en: 'Ability codes (ebid)', 'zh-CN': '能力编码 (ebid)' },
      kind: 'map',
      required: true,
      keys: [...ONELINK_V2_ENDPOINTS],
      example: '2300000000000001',
      description: {
        en: 'One ebid per API ability, as China Mobile issued them; at least one.',
        'zh-CN': '每个 API 能力各有一个 ebid(由中国移动分配),至少填一个。',
      },
    },
  ],

  parseSettings(raw) {
    const parsed = settingsSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = issue.path.map(String).join('.') || '(settings)';
      throw new SimdockError('config_error', `onelink-v2 setting "${key}": ${issue.message}`, {
        details: { key, issues: parsed.error.issues.map((item) => item.message) },
      });
    }
    return parsed.data;
  },

  // PROTOCOL-NOTES.md: rate limits are not published, start at 5 requests/s (a guess).
  defaultRateLimit: ONELINK_V2_DEFAULT_RATE_LIMIT,

  create(accountId, settings, runtime) {
    const transport = supplierTransport({
      ...runtime,
      rateLimit: runtime.rateLimit ?? ONELINK_V2_DEFAULT_RATE_LIMIT,
    });
    const client = createOnelinkV2Client({
      baseURL: settings.baseUrl,
      appid: settings.appid,
      password: settings.password,
      ebids: settings.ebids,
      method: settings.method,
      fetch: transport,
      clock: runtime.clock,
      accountId,
    });
    return createOnelinkV2Adapter({ accountId, client });
  },
};
