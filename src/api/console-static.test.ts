import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedEncodings, createConsoleRouter } from './console-static.js';

const INDEX = '<!doctype html><html><body><div id="root"></div></body></html>';
const SCRIPT = `export const cards = ${JSON.stringify(Array.from({ length: 50 }, (_, id) => ({ id })))};`;
const STYLES = 'body { margin: 0; } .sidebar a.active { font-weight: 600; }';
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"></svg>';

/** A console build as web/vite.config.ts writes it: variants beside the files they compress. */
function writeBuild(root: string): string {
  const directory = join(root, 'console');
  mkdirSync(join(directory, 'assets'), { recursive: true });
  const write = (path: string, body: string, variants: ('br' | 'gz')[]) => {
    writeFileSync(join(directory, path), body);
    if (variants.includes('br'))
      writeFileSync(join(directory, `${path}.br`), brotliCompressSync(body));
    if (variants.includes('gz')) writeFileSync(join(directory, `${path}.gz`), gzipSync(body));
  };
  write('index.html', INDEX, ['br', 'gz']);
  write('assets/index-abc123.js', SCRIPT, ['br', 'gz']);
  // Only gzip: a variant is left out when it would not be smaller.
  write('assets/index-def456.css', STYLES, ['gz']);
  write('favicon.svg', FAVICON, []);
  // Beside the build, never served.
  writeFileSync(join(root, 'secret.txt'), 'not for the console');
  writeFileSync(join(root, 'secret.txt.gz'), gzipSync('not for the console'));
  return directory;
}

function decode(body: ArrayBuffer, encoding: string | null): string {
  const bytes = Buffer.from(body);
  if (encoding === 'br') return brotliDecompressSync(bytes).toString();
  if (encoding === 'gzip') return gunzipSync(bytes).toString();
  return bytes.toString();
}

describe('acceptedEncodings', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['gzip, deflate, br, zstd', ['br', 'gzip']],
    ['gzip', ['gzip']],
    ['BR', ['br']],
    ['br;q=0, gzip;q=0.5', ['gzip']],
    ['gzip ; q=0.001', ['gzip']],
    ['gzip;q=0.0', []],
    ['*', ['br', 'gzip']],
    ['*;q=0', []],
    ['br;q=0, *', ['gzip']],
    ['identity', []],
  ])('%j allows %j', (header, expected) => {
    expect([...acceptedEncodings(header)].sort()).toEqual([...expected].sort());
  });
});

describe('console static files, precompressed', () => {
  let root: string;
  let router: ReturnType<typeof createConsoleRouter>;
  const get = (path: string, acceptEncoding?: string) =>
    router.request(path, {
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'simdock-console-static-'));
    router = createConsoleRouter(writeBuild(root));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('sends brotli when the browser accepts it, with the original type and caching', async () => {
    const response = await get('/assets/index-abc123.js', 'gzip, deflate, br, zstd');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(response.headers.get('vary')).toBe('Accept-Encoding');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(decode(await response.arrayBuffer(), 'br')).toBe(SCRIPT);
  });

  it('sends gzip when brotli is not accepted', async () => {
    for (const header of ['gzip', 'br;q=0, gzip', 'gzip;q=0.5, deflate']) {
      const response = await get('/assets/index-abc123.js', header);
      expect(response.headers.get('content-encoding'), header).toBe('gzip');
      expect(response.headers.get('vary')).toBe('Accept-Encoding');
      expect(decode(await response.arrayBuffer(), 'gzip')).toBe(SCRIPT);
    }
  });

  it('sends the file itself when nothing compressed is accepted, still varying', async () => {
    for (const header of [undefined, '', 'identity', 'deflate', 'br;q=0, gzip;q=0', '*;q=0']) {
      const response = await get('/assets/index-abc123.js', header);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-encoding'), String(header)).toBeNull();
      expect(response.headers.get('vary')).toBe('Accept-Encoding');
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await response.text()).toBe(SCRIPT);
    }
  });

  it('falls back to the variant that exists, or to the file', async () => {
    const gzip = await get('/assets/index-def456.css', 'gzip, br');
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(gzip.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(decode(await gzip.arrayBuffer(), 'gzip')).toBe(STYLES);

    const identity = await get('/assets/index-def456.css', 'br');
    expect(identity.headers.get('content-encoding')).toBeNull();
    expect(identity.headers.get('vary')).toBe('Accept-Encoding');
    expect(await identity.text()).toBe(STYLES);
  });

  it('sends a file with no variants as it is, without Vary', async () => {
    const response = await get('/favicon.svg', 'gzip, br');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('vary')).toBeNull();
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toBe(FAVICON);
  });

  it('answers page paths with index.html, compressed too, never cached', async () => {
    for (const path of ['/', '/cards', '/cards/42', '/cards?status=active&sort=usage']) {
      const response = await get(path, 'gzip, deflate, br');
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-encoding')).toBe('br');
      expect(response.headers.get('vary')).toBe('Accept-Encoding');
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(decode(await response.arrayBuffer(), 'br')).toBe(INDEX);
    }
    const plain = await get('/devices/7');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(INDEX);
  });

  it('leaves the API, callbacks and documents to their own routes', async () => {
    for (const path of [
      '/api/v1/cards',
      '/callbacks/quectel',
      '/openapi.json',
      '/docs',
      '/healthz',
    ]) {
      const response = await get(path, 'gzip, br');
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-encoding')).toBeNull();
    }
  });

  it('answers a missing file with a 404, not index.html, whatever the encoding', async () => {
    for (const path of ['/assets/missing.js', '/missing.css', '/index.html.zst']) {
      const response = await get(path, 'gzip, br');
      expect(response.status, path).toBe(404);
    }
  });

  it('answers a path with a malformed escape with a 404, not an error', async () => {
    for (const path of ['/%FF', '/cards/%FF', '/assets/%FF.js', '/%E0%A4%A']) {
      const response = await get(path, 'gzip, br');
      expect(response.status, path).toBe(404);
    }
  });

  it('never reaches outside the build, compressed or not', async () => {
    for (const path of [
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%2fsecret.txt.gz',
    ]) {
      for (const header of ['gzip', undefined]) {
        const response = await get(path, header);
        const body = decode(await response.arrayBuffer(), response.headers.get('content-encoding'));
        expect(body, path).not.toContain('not for the console');
      }
    }
  });
});

describe('console static files without a build', () => {
  it('sends / to the API docs and leaves other paths alone', async () => {
    const router = createConsoleRouter(null);
    const home = await router.request('/', { headers: { 'accept-encoding': 'br' } });
    expect(home.status).toBe(302);
    expect(home.headers.get('location')).toBe('/docs');
    expect((await router.request('/cards')).status).toBe(404);
  });
});
