import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { createAgentClient } from './agent-client.js';
import { AGENT_DEFAULT_PATHS, AGENT_OPERATIONS, resolveAgentPaths } from './agent-paths.js';
import { agentHeaders, agentSign, agentTimestamp, newTraceId } from './agent-protocol.js';
import { createAgentSimulator } from './agent-simulator.js';

// PROTOCOL-NOTES.md, "Agent open API": the supplier's own example and a computed vector.
const VECTORS = [
  {
    name: 'the supplier example',
    appId: 'qwe123',
    traceId: '5831f960804c9217ec01e425b8cc76f5',
    timestamp: '1698587220',
    secret: 'C55rqUa6AvKyuNMYYvoYCSR1BBfSPWK7',
    sign: 'c07a95dbddc1aa915f323cee747aa576',
  },
  {
    name: 'the computed vector',
    appId: 'app001',
    traceId: '0123456789abcdef0123456789abcdef',
    timestamp: '1732605510',
    secret: 'SECRETKEY123',
    sign: '7175158c5100c97cdee7f1ae5bbd4f0f',
  },
];

describe('agent signing', () => {
  it.each(VECTORS)('signs $name', (vector) => {
    expect(agentSign({ ...vector, apiVersion: '2.0.0' })).toBe(vector.sign);
    expect(agentHeaders(vector)).toEqual({
      appID: vector.appId,
      apiVersion: '2.0.0',
      traceID: vector.traceId,
      timestamp: vector.timestamp,
      sign: vector.sign,
    });
  });

  it.each(VECTORS)('the client sends $name and the simulator accepts it', async (vector) => {
    const clock = new ManualClock(Number(vector.timestamp) * 1000);
    const simulator = createAgentSimulator({ ...vector, size: 10, devices: 1, clock });
    const sent: Headers[] = [];
    const client = createAgentClient({
      baseUrl: 'http://agent.test/admin',
      appId: vector.appId,
      secret: vector.secret,
      clock,
      traceId: () => vector.traceId,
      fetch: async (input, init) => {
        sent.push(new Headers(init?.headers));
        return simulator.fetch(input, init);
      },
    });
    const result = await client.queryAccountAssets();
    expect(result.data.balance).toBeGreaterThan(0);
    expect(sent[0]?.get('sign')).toBe(vector.sign);
    expect(sent[0]?.get('timestamp')).toBe(vector.timestamp);
    expect(sent[0]?.get('content-type')).toBe('application/x-www-form-urlencoded');
    // The same traceID twice is a replay: refused.
    await expect(client.queryAccountAssets()).rejects.toMatchObject({
      code: 'supplier_rejected',
      supplierCode: '1005',
    });
  });

  it('makes 32 lower-case hex traceIDs, never the same twice', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newTraceId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('writes the timestamp as 10-digit Unix seconds', () => {
    expect(agentTimestamp(1_732_605_510_999)).toBe('1732605510');
  });
});

describe('agent paths', () => {
  it('keeps the documented queryDeviceFlow path and guesses the rest by name', () => {
    expect(AGENT_DEFAULT_PATHS.queryDeviceFlow).toBe('/openapi/iot/queryDeviceFlow');
    expect(AGENT_DEFAULT_PATHS.batchStopCard).toBe('/openapi/iot/batchStopCard');
  });

  it('applies overrides and refuses unknown operations', () => {
    const paths = resolveAgentPaths({ batchStopCard: '/api/v2/card/stop' });
    expect(paths.batchStopCard).toBe('/api/v2/card/stop');
    expect(() => resolveAgentPaths({ stopEverything: '/x' })).toThrow(/unknown operation/);
    expect(() => resolveAgentPaths({ batchStopCard: 'no-slash' })).toThrow(/must start/);
  });

  it('names every operation in the error for an unknown name and in the README', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    let message = '';
    try {
      resolveAgentPaths({ stopEverything: '/x' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const operation of AGENT_OPERATIONS) {
      expect(message).toContain(operation);
      expect(readme).toContain(`\`${operation}\``);
    }
  });

  it('calls an overridden path on both sides', async () => {
    const clock = new ManualClock();
    const paths = { queryAccountAssets: '/custom/assets' };
    const simulator = createAgentSimulator({ appId: 'a', secret: 's', size: 5, clock, paths });
    const client = createAgentClient({
      baseUrl: 'http://agent.test',
      appId: 'a',
      secret: 's',
      clock,
      paths,
      fetch: simulator.fetch,
    });
    await client.queryAccountAssets();
    expect(simulator.calls.count('/custom/assets')).toBe(1);
  });
});
