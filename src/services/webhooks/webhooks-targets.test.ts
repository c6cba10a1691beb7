import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createWebhookSender } from './webhooks-http.js';
import { checkWebhookTarget, isPrivateAddress } from './webhooks-targets.js';

describe('webhook targets', () => {
  it('knows private, loopback, link-local and mapped addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('refuses URLs whose resolved addresses are private unless allowed', async () => {
    for (const url of [
      'http://127.0.0.1/x',
      'http://[::1]:8080/x',
      'http://169.254.169.254/latest',
    ]) {
      await expect(checkWebhookTarget(url)).rejects.toMatchObject({ code: 'invalid_argument' });
    }
    // A public-looking name is judged by what it resolves to: any private address refuses it.
    const resolve = async () => ['93.184.216.34', '10.0.0.5'];
    await expect(checkWebhookTarget('https://hooks.example.com/in', { resolve })).rejects.toThrow(
      /10\.0\.0\.5/,
    );
    await expect(
      checkWebhookTarget('https://hooks.example.com/in', {
        resolve: async () => ['93.184.216.34'],
      }),
    ).resolves.toMatchObject({ addresses: ['93.184.216.34'] });
    await expect(
      checkWebhookTarget('http://127.0.0.1/x', { allowPrivateTargets: true }),
    ).resolves.toBeTruthy();
    await expect(checkWebhookTarget('ftp://example.com/x')).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(checkWebhookTarget('https://user:pw@example.com/')).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('checks the address again when connecting, so a re-pointed name is refused', async () => {
    let hits = 0;
    const server = createServer((_request, response) => {
      hits += 1;
      response.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const request = { headers: {}, body: '{}', timeoutMs: 2_000 };
      const rebound = createWebhookSender({ resolve: async () => ['127.0.0.1'] });
      const refused = await rebound({ ...request, url: `http://hooks.example.com:${port}/` });
      expect(refused).toMatchObject({ ok: false, status: null });
      expect(refused.ok ? '' : refused.error).toMatch(/private/);
      const literal = await createWebhookSender()({ ...request, url: `http://127.0.0.1:${port}/` });
      expect(literal).toMatchObject({ ok: false });
      expect(hits).toBe(0);
      const allowed = createWebhookSender({
        allowPrivateTargets: true,
        resolve: async () => ['127.0.0.1'],
      });
      expect(await allowed({ ...request, url: `http://hooks.example.com:${port}/` })).toEqual({
        ok: true,
        status: 200,
        excerpt: 'ok',
      });
      expect(hits).toBe(1);
    } finally {
      server.close();
    }
  });
});
