import { z } from 'zod';

/** An agent open API account's settings. */
export interface AgentSettings {
  /** The agent back office's origin, e.g. `https://x.cn` (`https://x.cn/admin` works too). */
  baseUrl: string;
  appId: string;
  secret: string;
  /** Path overrides by operation name; every other path is `/openapi/iot/<operation>`. */
  paths?: Record<string, string>;
  /** The wait between two speed-limit changes of a card (default 5 min, a guess). */
  speedCooldownMs?: number;
  /** Between two reads of a stop / restore batch's records (default 5 s). */
  pollIntervalMs?: number;
  /** How long a stop / restore batch is followed (default 10 min). */
  settleTimeoutMs?: number;
}

/** The schema of an agent account's settings. */
export const agentSettingsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  appId: z.string().trim().min(1),
  secret: z.string().min(1),
  paths: z.record(z.string(), z.string()).optional(),
  speedCooldownMs: z.number().int().min(0).optional(),
  pollIntervalMs: z.number().int().min(1).optional(),
  settleTimeoutMs: z.number().int().min(0).optional(),
});
