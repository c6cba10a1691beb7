import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths the console never answers: the API, callbacks and documents keep their own 404s. */
const NOT_CONSOLE = /^\/(api|callbacks|openapi|docs|healthz)(\/|\.|$)/;

/**
 * Where `npm install` (the `prepare` script) builds the console: `dist/console` at the package
 * root, found from this file whether it runs from `src/api/` (tsx) or `dist/api/` (built).
 */
export function consoleDirectory(): string | null {
  const candidates = [
    fileURLToPath(new URL('../../dist/console', import.meta.url)),
    fileURLToPath(new URL('../console', import.meta.url)),
  ];
  return candidates.find((directory) => existsSync(join(directory, 'index.html'))) ?? null;
}

/**
 * The web console's static files with an SPA fallback: a GET for a file that exists answers it
 * (hashed assets cached for a year), any other page path answers `index.html` so the console's
 * own router shows it. Without a built console, `/` goes to the API docs.
 */
export function createConsoleRouter(directory: string | null = consoleDirectory()): Hono {
  const router = new Hono();
  const cache = new Map<string, Buffer>();
  const read = async (file: string) => {
    let body = cache.get(file);
    if (!body) {
      body = await readFile(file);
      cache.set(file, body);
    }
    return new Uint8Array(body);
  };
  router.get('*', async (c, next) => {
    if (NOT_CONSOLE.test(c.req.path)) return next();
    if (!directory) return c.req.path === '/' ? c.redirect('/docs') : next();
    const relative = normalize(decodeURIComponent(c.req.path)).replace(/^([/\\])+/, '');
    const file = join(directory, relative);
    if (relative && file.startsWith(directory + sep) && existsSync(file) && extname(file)) {
      const immutable = relative.startsWith(`assets${sep}`);
      return c.body(await read(file), 200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    if (extname(relative)) return next();
    return c.body(await read(join(directory, 'index.html')), 200, {
      'content-type': TYPES['.html']!,
      'cache-control': 'no-cache',
    });
  });
  return router;
}
