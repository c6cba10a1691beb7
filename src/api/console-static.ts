import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Context, Hono } from 'hono';

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

/**
 * The precompressed variants the console build writes beside its text files (web/vite.config.ts),
 * in the order the server prefers them: brotli is smaller, gzip is understood everywhere.
 */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/**
 * The content codings a request's `Accept-Encoding` allows (RFC 9110 §12.5.3): listed with a
 * non-zero weight, or covered by `*` when not listed with `q=0`.
 */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const weights = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [coding, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!coding) continue;
    let weight = 1;
    for (const parameter of parameters) {
      const match = /^q\s*=\s*([0-9.]+)$/.exec(parameter);
      if (match) weight = Number(match[1]);
    }
    weights.set(coding, Number.isNaN(weight) ? 0 : weight);
  }
  const accepted = new Set<string>();
  for (const { name } of ENCODINGS) {
    const weight = weights.get(name) ?? weights.get('*') ?? 0;
    if (weight > 0) accepted.add(name);
  }
  return accepted;
}

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
 * own router shows it. Text files go out precompressed (`.br`, `.gz` written by the build) when
 * the request's `Accept-Encoding` allows, with `Vary: Accept-Encoding`. Without a built console,
 * `/` goes to the API docs.
 */
export function createConsoleRouter(directory: string | null = consoleDirectory()): Hono {
  const router = new Hono();
  // The build does not change under a running server: bodies (and absent variants, as null)
  // are read once.
  const cache = new Map<string, Uint8Array<ArrayBuffer> | null>();
  const read = async (file: string): Promise<Uint8Array<ArrayBuffer> | null> => {
    let body = cache.get(file);
    if (body === undefined) {
      body = existsSync(file) ? new Uint8Array(await readFile(file)) : null;
      cache.set(file, body);
    }
    return body;
  };
  /** `file` as the request accepts it: a precompressed variant when one exists, else itself. */
  const answer = async (
    c: Context,
    file: string,
    headers: { 'content-type': string; 'cache-control': string },
  ) => {
    const accepted = acceptedEncodings(c.req.header('accept-encoding'));
    let varies = false;
    for (const encoding of ENCODINGS) {
      const variant = await read(file + encoding.suffix);
      if (!variant) continue;
      varies = true;
      if (accepted.has(encoding.name)) {
        return c.body(variant, 200, {
          ...headers,
          'content-encoding': encoding.name,
          vary: 'Accept-Encoding',
        });
      }
    }
    const body = await read(file);
    if (!body) return c.notFound();
    return c.body(body, 200, varies ? { ...headers, vary: 'Accept-Encoding' } : headers);
  };
  router.get('*', async (c, next) => {
    if (NOT_CONSOLE.test(c.req.path)) return next();
    if (!directory) return c.req.path === '/' ? c.redirect('/docs') : next();
    const decoded = decodePath(c.req.path);
    // A malformed escape (`/%FF`) names no file and no page of the console.
    if (decoded === null) return next();
    const relative = normalize(decoded).replace(/^([/\\])+/, '');
    const file = join(directory, relative);
    if (relative && file.startsWith(directory + sep) && existsSync(file) && extname(file)) {
      const immutable = relative.startsWith(`assets${sep}`);
      return answer(c, file, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    if (extname(relative)) return next();
    return answer(c, join(directory, 'index.html'), {
      'content-type': TYPES['.html']!,
      'cache-control': 'no-cache',
    });
  });
  return router;
}

/** The path with its percent escapes decoded, or null when an escape is malformed. */
function decodePath(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}
