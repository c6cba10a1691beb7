import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SimdockError } from '../domain/errors.js';

/** The environment variable that holds the secret key (base64 or hex of 32 bytes). */
export const SECRET_KEY_ENV = 'SIMDOCK_SECRET_KEY';

/** The AES-256 key length in bytes. */
export const SECRET_KEY_BYTES = 32;

/** A key together with where it came from, for error messages (never the key itself). */
export interface SecretKey {
  key: Buffer;
  /** `the secretKey option`, `SIMDOCK_SECRET_KEY`, or `key file /path/secret.key`. */
  origin: string;
}

/**
 * Reads a 32-byte key given as bytes, 64 hex digits, or base64 (standard or URL-safe).
 * Anything else is a `config_error` naming the origin.
 */
export function parseSecretKey(value: Buffer | string, origin: string): Buffer {
  if (Buffer.isBuffer(value)) {
    if (value.length !== SECRET_KEY_BYTES) {
      throw new SimdockError(
        'config_error',
        `${origin}: the secret key must be ${SECRET_KEY_BYTES} bytes, got ${value.length}`,
      );
    }
    return Buffer.from(value);
  }
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === SECRET_KEY_BYTES) return bytes;
  }
  throw new SimdockError(
    'config_error',
    `${origin}: the secret key must be ${SECRET_KEY_BYTES} bytes written as base64 or 64 hex ` +
      'digits (generate one with: openssl rand -base64 32)',
  );
}

/**
 * Reads the key file, or creates it (mode 0600, its folder too) with a fresh random key when it
 * does not exist. Two processes racing to create it end up with the same key: the file is
 * created exclusively and the loser reads the winner's.
 */
export async function loadOrCreateKeyFile(file: string): Promise<SecretKey> {
  const origin = `key file ${path.resolve(file)}`;
  try {
    return { key: parseSecretKey(await readFile(file, 'utf8'), origin), origin };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw wrapFileError(error, origin);
  }
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const key = randomBytes(SECRET_KEY_BYTES);
  try {
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return { key, origin };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw wrapFileError(error, origin);
    return { key: parseSecretKey(await readFile(file, 'utf8'), origin), origin };
  }
}

function wrapFileError(error: unknown, origin: string): unknown {
  if (SimdockError.isInstance(error)) return error;
  return new SimdockError(
    'config_error',
    `${origin}: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

/**
 * Where the store's key comes from, in order: the explicit option, `SIMDOCK_SECRET_KEY`, the key
 * file. The first two are checked at once; the key file is read (or created) on first use, so a
 * store that never touches secrets never writes one.
 */
export function secretKeySource(options: {
  secretKey?: Buffer | string;
  keyFile: string;
  env?: NodeJS.ProcessEnv;
}): () => Promise<SecretKey> {
  if (options.secretKey !== undefined) {
    const origin = 'the secretKey option';
    const resolved = { key: parseSecretKey(options.secretKey, origin), origin };
    return async () => resolved;
  }
  const fromEnvironment = (options.env ?? process.env)[SECRET_KEY_ENV];
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== '') {
    const resolved = {
      key: parseSecretKey(fromEnvironment, SECRET_KEY_ENV),
      origin: SECRET_KEY_ENV,
    };
    return async () => resolved;
  }
  let loading: Promise<SecretKey> | undefined;
  return () => {
    loading ??= loadOrCreateKeyFile(options.keyFile).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
