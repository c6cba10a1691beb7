import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimdockError } from '../domain/errors.js';
import { SecretBox } from './secret-box.js';
import { loadOrCreateKeyFile, parseSecretKey, secretKeySource } from './secret-key.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return SimdockError.isInstance(error) ? error.code : 'not a SimdockError';
  }
  return undefined;
}

describe('parseSecretKey', () => {
  const key = randomBytes(32);

  it('reads bytes, hex, base64 and base64url', () => {
    expect(parseSecretKey(key, 'test')).toEqual(key);
    expect(parseSecretKey(key.toString('hex'), 'test')).toEqual(key);
    expect(parseSecretKey(key.toString('hex').toUpperCase(), 'test')).toEqual(key);
    expect(parseSecretKey(`${key.toString('base64')}\n`, 'test')).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'), 'test')).toEqual(key);
  });

  it('rejects keys of the wrong length or form with config_error', () => {
    expect(codeOf(() => parseSecretKey(randomBytes(16), 'test'))).toBe('config_error');
    expect(codeOf(() => parseSecretKey(randomBytes(16).toString('base64'), 'test'))).toBe(
      'config_error',
    );
    expect(codeOf(() => parseSecretKey('not a key at all!', 'test'))).toBe('config_error');
    expect(codeOf(() => parseSecretKey('', 'SIMDOCK_SECRET_KEY'))).toBe('config_error');
  });
});

describe('key file', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'simdock-key-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('is created with mode 0600 (and its folder) when missing, then reused', async () => {
    const file = path.join(directory, 'nested', 'secret.key');
    const created = await loadOrCreateKeyFile(file);
    expect(created.key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(created.key.toString('base64'));
    const again = await loadOrCreateKeyFile(file);
    expect(again.key).toEqual(created.key);
    expect(again.origin).toBe(`key file ${file}`);
  });

  it('gives every racing opener the same key', async () => {
    const file = path.join(directory, 'secret.key');
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateKeyFile(file)));
    for (const { key } of keys) expect(key).toEqual(keys[0]!.key);
  });

  it('rejects a malformed key file', async () => {
    const file = path.join(directory, 'secret.key');
    writeFileSync(file, 'short');
    await expect(loadOrCreateKeyFile(file)).rejects.toMatchObject({ code: 'config_error' });
  });
});

describe('secretKeySource', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'simdock-key-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('prefers the option, then the environment, then the key file (created lazily)', async () => {
    const keyFile = path.join(directory, 'secret.key');
    const option = randomBytes(32);
    const environment = randomBytes(32);
    const fromOption = secretKeySource({
      secretKey: option,
      keyFile,
      env: { SIMDOCK_SECRET_KEY: environment.toString('hex') },
    });
    expect((await fromOption()).key).toEqual(option);
    const fromEnvironment = secretKeySource({
      keyFile,
      env: { SIMDOCK_SECRET_KEY: environment.toString('base64') },
    });
    expect(await fromEnvironment()).toEqual({ key: environment, origin: 'SIMDOCK_SECRET_KEY' });
    const fromFile = secretKeySource({ keyFile, env: {} });
    expect(() => statSync(keyFile)).toThrow();
    const loaded = await fromFile();
    expect(statSync(keyFile).isFile()).toBe(true);
    expect((await fromFile()).key).toEqual(loaded.key);
  });

  it('checks an explicit or environment key at once', () => {
    const keyFile = path.join(directory, 'secret.key');
    expect(codeOf(() => secretKeySource({ secretKey: 'bad', keyFile }))).toBe('config_error');
    expect(codeOf(() => secretKeySource({ keyFile, env: { SIMDOCK_SECRET_KEY: 'bad' } }))).toBe(
      'config_error',
    );
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(async () => ({ key: Buffer.alloc(32, 1), origin: 'test key' }));
  const otherBox = new SecretBox(async () => ({ key: Buffer.alloc(32, 2), origin: 'other key' }));

  it('round-trips, binding the associated data', async () => {
    const sealed = await box.seal('{"password":"p@ss"}', 'account-1');
    expect(sealed).not.toContain('p@ss');
    expect(await box.open(sealed, 'account-1', 'account "account-1"')).toBe('{"password":"p@ss"}');
    await expect(box.open(sealed, 'account-2', 'account "account-2"')).rejects.toMatchObject({
      code: 'config_error',
    });
  });

  it('tells a wrong key from a tampered blob', async () => {
    const sealed = await box.seal('secret', 'a');
    await expect(otherBox.open(sealed, 'a', 'account "a"')).rejects.toThrow(
      /another secret key .* from other key/,
    );
    const bytes = Buffer.from(sealed.split(':')[2]!, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    const tampered = `${sealed.split(':').slice(0, 2).join(':')}:${bytes.toString('base64')}`;
    await expect(box.open(tampered, 'a', 'account "a"')).rejects.toThrow(/fail authentication/);
    await expect(box.open('garbage', 'a', 'account "a"')).rejects.toMatchObject({
      code: 'config_error',
    });
  });
});
