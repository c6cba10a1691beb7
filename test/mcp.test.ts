import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runMcp } from '../src/cli/commands/server/mcp.js';
import { ApiHarness } from './api-harness.js';
import { CliSandbox, serveOnLoopback } from './cli-harness.js';

/** The text of a tool result, parsed as JSON when it is. */
function resultOf(result: Awaited<ReturnType<Client['callTool']>>): {
  isError: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: tool answers are JSON of many shapes.
  value: any;
} {
  const text = (result.content as { type: string; text: string }[])[0]?.text ?? '';
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {}
  return { isError: result.isError === true, value };
}

describe('the MCP server under serve (streamable HTTP)', () => {
  let api: ApiHarness;
  let url: URL;
  let stop: () => Promise<void>;
  const clients: Client[] = [];

  beforeAll(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
    const served = await serveOnLoopback(api.app as never);
    url = new URL('/mcp', served.origin);
    stop = served.close;
  });
  afterAll(async () => {
    for (const client of clients) await client.close();
    await stop();
    await api.close();
  });

  async function connect(key: string): Promise<Client> {
    const client = new Client({ name: 'simdock-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { authorization: `Bearer ${api.keys[key]}` } },
      }),
    );
    clients.push(client);
    return client;
  }

  it('refuses a client without an API key', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'unauthenticated',
    );
  });

  it('offers a viewer the reading tools only', async () => {
    const client = await connect('acmeViewer');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'cards_expiring',
      'cards_near_quota',
      'find_cards',
      'fleet_stats',
      'get_card',
      'list_alerts',
    ]);
    expect(tools.every((tool) => tool.annotations?.readOnlyHint === true)).toBe(true);
    // An action asked for anyway is refused, and nothing is paused.
    const refused = await client
      .callTool({ name: 'pause_cards', arguments: { cardIds: [api.cards.acme[0]], confirm: true } })
      .then(resultOf, (error: Error) => ({ isError: true, value: error.message }));
    expect(refused.isError).toBe(true);
    expect(String(refused.value)).toMatch(/pause_cards/);
    expect((await api.json('GET', '/api/v1/jobs')).body.jobs).toEqual([]);
  });

  it('finds and reads cards within the caller’s tenant only', async () => {
    const client = await connect('acmeViewer');
    const found = resultOf(await client.callTool({ name: 'find_cards', arguments: { limit: 50 } }));
    expect(found.isError).toBe(false);
    expect(found.value.cards.map((card: { id: number }) => card.id).sort()).toEqual(
      [...api.cards.acme].sort(),
    );
    const mine = found.value.cards[0];
    const read = resultOf(
      await client.callTool({ name: 'get_card', arguments: { iccid: mine.iccid } }),
    );
    expect(read.isError).toBe(false);
    expect(read.value.card).toMatchObject({ id: mine.id, iccid: mine.iccid });
    expect(read.value).toHaveProperty('timeline');
    expect(read.value).toHaveProperty('alerts');
    const other = resultOf(
      await client.callTool({ name: 'get_card', arguments: { id: api.cards.globex[0] } }),
    );
    expect(other.isError).toBe(true);
    expect(other.value).toMatch(/^not_found/);
  });

  it('gives fleet statistics over the caller’s cards', async () => {
    const client = await connect('owner');
    const stats = resultOf(await client.callTool({ name: 'fleet_stats', arguments: {} }));
    expect(stats.isError).toBe(false);
    expect(stats.value.total).toBe(12);
    expect(stats.value).not.toHaveProperty('nearQuota');
    const near = resultOf(await client.callTool({ name: 'cards_near_quota', arguments: {} }));
    expect(near.value).toMatchObject({ total: expect.any(Number), cards: expect.any(Array) });
  });

  it('lets an operator pause only after confirming, and the API audits the job', async () => {
    const client = await connect('acmeOperator');
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['pause_cards', 'resume_cards', 'send_sms']));
    const cardIds = api.cards.acme.slice(0, 2);
    const preview = resultOf(
      await client.callTool({ name: 'pause_cards', arguments: { cardIds } }),
    );
    expect(preview.value).toMatchObject({ preview: true, wouldRun: 'pause on 2 cards' });
    expect((await api.json('GET', '/api/v1/jobs')).body.jobs).toEqual([]);

    const done = resultOf(
      await client.callTool({ name: 'pause_cards', arguments: { cardIds, confirm: true } }),
    );
    expect(done.isError).toBe(false);
    expect(done.value.job).toMatchObject({ action: 'pause', total: 2 });
    const audit = await api.json('GET', '/api/v1/audit?limit=20');
    const entry = audit.body.entries.find((item: { action: string }) =>
      item.action.startsWith('jobs'),
    );
    expect(entry?.actor).toMatch(/^key:/);
  });
});

/** An MCP client transport over a pair of streams (the other ends of `simdock mcp`'s stdio). */
class StreamTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly #buffer = new ReadBuffer();

  constructor(
    private readonly toServer: PassThrough,
    private readonly fromServer: PassThrough,
  ) {}

  async start(): Promise<void> {
    this.fromServer.on('data', (chunk: Buffer) => {
      this.#buffer.append(chunk);
      for (
        let message = this.#buffer.readMessage();
        message;
        message = this.#buffer.readMessage()
      ) {
        this.onmessage?.(message);
      }
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.toServer.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    this.toServer.end();
    this.onclose?.();
  }
}

describe('simdock mcp (stdio)', () => {
  it('serves the tools over stdin and stdout as the key in SIMDOCK_API_KEY', async () => {
    const sandbox = new CliSandbox();
    const api = await ApiHarness.open({ api: { rateLimit: false } });
    const served = await serveOnLoopback(api.app as never);
    try {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const io = {
        stdout: { write: () => true },
        stderr: { write: () => true },
        environment: { SIMDOCK_API_KEY: api.keys.acmeViewer },
        cwd: sandbox.directory,
      };
      const running = runMcp({ url: served.origin, stdin, stdout }, io);
      const client = new Client({ name: 'simdock-test', version: '1.0.0' });
      await client.connect(new StreamTransport(stdin, stdout));
      const found = resultOf(await client.callTool({ name: 'find_cards', arguments: {} }));
      expect(found.value.cards).toHaveLength(api.cards.acme.length);
      await client.close();
      stdin.end();
      expect(await running).toBe(0);
    } finally {
      await served.close();
      await api.close();
      sandbox.remove();
    }
  });

  it('refuses to start without SIMDOCK_API_KEY', async () => {
    const io = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      environment: {},
      cwd: '.',
    };
    await expect(runMcp({ url: 'http://127.0.0.1:9' }, io)).rejects.toThrowError(
      /set SIMDOCK_API_KEY/,
    );
  });
});
