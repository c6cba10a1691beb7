import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context } from 'hono';
import { SimdockError } from '../../domain/index.js';
import { type ApiCall, createMcpServer } from './mcp-server.js';

/** What answers a request: the API app itself (`app.request`). */
export type ApiRequest = (path: string, init: RequestInit) => Response | Promise<Response>;

/** The assistant's API calls, made with `authorization` against `request` (in process or remote). */
export function apiCaller(request: ApiRequest, authorization: string): ApiCall {
  return async (method, path, body) => {
    const response = await request(path, {
      method,
      headers: {
        authorization,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: { code: 'internal', message: text.slice(0, 200) } };
    }
    return { status: response.status, body: parsed };
  };
}

/**
 * `POST /mcp` (MCP streamable HTTP, stateless, JSON answers): each request is served by an MCP
 * server made for its caller, who must send an API key (`Authorization: Bearer simdock_…`);
 * console sessions are not accepted here. Tools call the API with that same key.
 */
export function mcpHttpHandler(request: ApiRequest, version: string) {
  return async (c: Context) => {
    const authorization = c.req.header('authorization');
    if (!authorization || !/^Bearer\s+\S+\s*$/i.test(authorization)) {
      c.header('www-authenticate', 'Bearer');
      throw new SimdockError('unauthenticated', 'send an API key: Authorization: Bearer simdock_…');
    }
    const server = await createMcpServer(apiCaller(request, authorization), version);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  };
}
