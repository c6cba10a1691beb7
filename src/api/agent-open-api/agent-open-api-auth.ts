import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServiceContext } from '../../services/context.js';
import { AgentAppsRepository } from '../../store/repositories/agent-apps-repository.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import type { SecretSealer } from '../../store/secret-sealer.js';
import { AGENT_CODES } from '../../suppliers/agent/index.js';
import { type AgentAnswer, fail } from './agent-open-api-cards.js';
import type { AgentScope } from './agent-open-api-scope.js';

/** The only `apiVersion` served. */
const API_VERSION = '2.0.0';
/** How far `timestamp` may be from our clock, in seconds (PROTOCOL-NOTES.md: ±10 minutes). */
const WINDOW_SECONDS = 600;

/**
 * simdock's own check of the agent signature, written apart from the client's signer so a bug in
 * one cannot cancel itself out: lower hex md5 of appID + apiVersion + traceID + timestamp +
 * secret (PROTOCOL-NOTES.md, "Agent open API").
 */
function expectedSign(appId: string, traceId: string, timestamp: string, secret: string): string {
  return createHash('md5')
    .update(`${appId}${API_VERSION}${traceId}${timestamp}${secret}`, 'utf8')
    .digest('hex');
}

function sameText(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks the five headers of a call: a known, enabled app; the served apiVersion; a well-formed
 * traceID; a timestamp within ±10 minutes; the signature; and last a traceID this app never used
 * before (recorded until it could no longer come with a valid timestamp). Returns the caller's
 * scope, or the refusal to answer.
 */
export async function authenticateAgentCall(
  context: ServiceContext,
  header: (name: string) => string | undefined,
  sealer?: SecretSealer,
): Promise<{ scope: AgentScope } | { refused: AgentAnswer }> {
  const [appId, version, traceId, timestamp, sign] = [
    'appID',
    'apiVersion',
    'traceID',
    'timestamp',
    'sign',
  ].map((name) => header(name)?.trim() ?? '') as [string, string, string, string, string];
  if (!appId || !version || !traceId || !timestamp || !sign) {
    return { refused: fail(AGENT_CODES.invalidParameter, '缺少请求头') };
  }
  if (version !== API_VERSION) {
    return { refused: fail(AGENT_CODES.unsupportedVersion, 'apiVersion不支持') };
  }
  if (!/^[0-9A-Za-z-]{8,64}$/.test(traceId)) {
    return { refused: fail(AGENT_CODES.invalidParameter, 'traceID格式错误') };
  }
  const now = context.clock.now();
  if (!/^\d{10}$/.test(timestamp)) {
    return { refused: fail(AGENT_CODES.timestampExpired, 'timestamp格式错误') };
  }
  if (Math.abs(Math.floor(now / 1000) - Number(timestamp)) > WINDOW_SECONDS) {
    return { refused: fail(AGENT_CODES.timestampExpired, 'timestamp已过期') };
  }
  const apps = new AgentAppsRepository(context.store, sealer);
  const credentials = await apps.credentials(appId);
  if (!credentials?.app.enabled) {
    return { refused: fail(AGENT_CODES.unknownApp, 'appID不存在') };
  }
  if (!sameText(sign.toLowerCase(), expectedSign(appId, traceId, timestamp, credentials.secret))) {
    return { refused: fail(AGENT_CODES.badSignature, '签名错误') };
  }
  // Kept past the window on both sides: an older traceID cannot come with a valid timestamp.
  const expiresAt = Number(timestamp) * 1000 + 2 * WINDOW_SECONDS * 1000;
  if (!(await apps.recordTraceId(appId, traceId, now, expiresAt))) {
    return { refused: fail(AGENT_CODES.traceIdReused, 'traceID重复') };
  }
  const tenant = await new TenantsRepository(context.store).get(credentials.app.tenantId);
  if (!tenant) return { refused: fail(AGENT_CODES.unknownApp, 'appID不存在') };
  return {
    scope: {
      appId,
      tenantId: tenant.id,
      tenantPath: tenant.path,
      isRoot: tenant.parentId === null,
    },
  };
}
