import { type Context, Hono } from 'hono';
import type { ServiceContext } from '../../services/context.js';
import type { SecretSealer } from '../../store/secret-sealer.js';
import {
  AGENT_CODES,
  AGENT_DEFAULT_PATHS,
  agentRequestSchemas,
  operationOfPath,
} from '../../suppliers/agent/index.js';
import { authenticateAgentCall } from './agent-open-api-auth.js';
import { type AgentAnswer, cardReadHandlers, fail } from './agent-open-api-cards.js';
import { AgentLifecycle } from './agent-open-api-lifecycle.js';

export interface AgentOpenApiOptions {
  /** Seals and opens app secrets (default: the store's key, see webhooks-secrets.ts). */
  sealer?: SecretSealer;
  /** Largest form body accepted, in bytes (default 64 KiB: 100 ICCIDs need under 3 KiB). */
  bodyLimitBytes?: number;
}

/** simdock's agent open API, and how to wait for its background stop / restore batches. */
export interface AgentOpenApi {
  app: Hono;
  /** Resolves when every stop / restore batch accepted so far has settled. */
  idle(): Promise<void>;
}

/**
 * The reseller "V2.0 open API for agents" surface served by simdock, so a downstream agent (or
 * another simdock, through its `agent` supplier) can use this simdock as its upstream: the same
 * paths as the agent supplier's table (`AGENT_DEFAULT_PATHS`), POST form bodies, the same header
 * signing with per-tenant app IDs and secrets, the same `{code, message, data, timestamp,
 * traceID}` envelope. It serves the calling app's tenant's cards: batch card info, latest
 * status, realtime and month usage (bytes), batch stop / restore (asynchronous, followed through
 * operation records) and account assets. Device operations and the platform's commercial
 * operations (packages, real-name, speed limits, IMEI binding, subscriptions, terminal tokens)
 * answer with a refusal that names the operation. Mount it at the root: its paths are absolute.
 */
export function createAgentOpenApi(
  context: ServiceContext,
  options: AgentOpenApiOptions = {},
): AgentOpenApi {
  const lifecycle = new AgentLifecycle(context);
  const bodyLimit = options.bodyLimitBytes ?? 64 * 1024;

  const envelope = (hono: Context, answer: AgentAnswer) =>
    hono.json({
      code: answer.code,
      message: answer.message ?? (answer.code === AGENT_CODES.success ? '操作成功' : '操作失败'),
      data: answer.data ?? null,
      timestamp: Math.floor(context.clock.now() / 1000),
      traceID: hono.req.header('traceID') ?? '',
    });

  const app = new Hono();
  app.post('/openapi/iot/:operation', async (hono) => {
    const operation = operationOfPath(AGENT_DEFAULT_PATHS, new URL(hono.req.url).pathname);
    if (!operation) return hono.json({ code: 404, message: 'Not Found', data: null }, 404);
    const authenticated = await authenticateAgentCall(
      context,
      (name) => hono.req.header(name),
      options.sealer,
    );
    if ('refused' in authenticated) return envelope(hono, authenticated.refused);
    const type = hono.req.header('content-type') ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      return envelope(hono, fail(AGENT_CODES.invalidParameter, '请使用表单提交'));
    }
    const text = await hono.req.text();
    if (Buffer.byteLength(text) > bodyLimit) {
      return envelope(hono, fail(AGENT_CODES.invalidParameter, '请求体过大'));
    }
    const form = Object.fromEntries(new URLSearchParams(text));
    const checked = agentRequestSchemas[operation].safeParse(form);
    if (!checked.success) {
      const message = checked.error.issues.map((issue) => issue.message).join('; ');
      return envelope(hono, fail(AGENT_CODES.invalidParameter, `参数错误: ${message}`));
    }
    const request = { context, scope: authenticated.scope, form, now: context.clock.now() };
    try {
      const read = cardReadHandlers[operation];
      if (read) return envelope(hono, await read(request));
      if (operation === 'batchStopCard')
        return envelope(hono, await lifecycle.change('stop', request));
      if (operation === 'batchRestoreCard') {
        return envelope(hono, await lifecycle.change('restore', request));
      }
      if (operation === 'queryCardOperationRecords') {
        return envelope(hono, await lifecycle.records(request));
      }
      if ('deviceNo' in form) return envelope(hono, fail(AGENT_CODES.deviceNotFound, '设备不存在'));
      return envelope(
        hono,
        fail(AGENT_CODES.invalidParameter, `simdock does not offer ${operation} (不支持该操作)`),
      );
    } catch (error) {
      // The envelope is the contract: an internal failure is a system error, never a stack,
      // and its details stay in our log (callers are outside the operator's trust).
      const traceId = hono.req.header('traceID') ?? '';
      context.telemetry.logger.error(
        { operation, traceId, err: error instanceof Error ? error.message : String(error) },
        'agent open API operation failed',
      );
      return envelope(hono, fail(AGENT_CODES.systemError, '系统错误'));
    }
  });
  return { app, idle: () => lifecycle.idle() };
}
