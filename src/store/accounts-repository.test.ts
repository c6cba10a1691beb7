import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { SimdockError } from '../domain/errors.js';
import { openStore, type Store } from './index.js';
import { describeEachDialect, openTestStore, useTestStore } from './store.test-support.js';

const quectel = {
  id: 'quectel-main',
  type: 'quectel',
  name: 'Quectel main account',
  settings: { baseUrl: 'https://api.quectel.example/router', appKey: 'app-key-1' },
  secrets: { secret: 'plain-secret-value-9f3a' },
};

async function rejection(promise: Promise<unknown>): Promise<SimdockError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!SimdockError.isInstance(error)) throw new Error(`expected a SimdockError, got ${error}`);
  return error;
}

describeEachDialect('accounts on $dialect', (target) => {
  const context = useTestStore(target);

  it('creates, reads and lists accounts with their settings and secrets', async () => {
    const { store, clock } = context.current;
    const created = await store.accounts.upsert(quectel);
    expect(created).toEqual({
      ...quectel,
      enabled: true,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    expect(await store.accounts.get('quectel-main')).toEqual(created);
    await store.accounts.upsert({
      id: 'onelink-a',
      type: 'onelink-v2',
      settings: { appid: 'A1' },
      secrets: { password: 'pw' },
    });
    const listed = await store.accounts.list();
    expect(listed.map((account) => account.id)).toEqual(['onelink-a', 'quectel-main']);
    expect(listed[0]).toMatchObject({ name: null, enabled: true, secrets: { password: 'pw' } });
    expect(await store.accounts.get('absent')).toBeNull();
  });

  it('replaces settings and secrets, keeps createdAt, name and enabled when omitted', async () => {
    const { store, clock } = context.current;
    const created = await store.accounts.upsert(quectel);
    await store.accounts.setEnabled('quectel-main', false);
    clock.advance(60_000);
    const updated = await store.accounts.upsert({
      id: 'quectel-main',
      type: 'quectel',
      settings: { baseUrl: 'https://other.example' },
      secrets: { secret: 'rotated' },
    });
    expect(updated).toMatchObject({
      name: 'Quectel main account',
      enabled: false,
      settings: { baseUrl: 'https://other.example' },
      secrets: { secret: 'rotated' },
      createdAt: created.createdAt,
      updatedAt: clock.now(),
    });
    expect(await store.accounts.get('quectel-main')).toEqual(updated);
  });

  it('enables and disables, and reports a missing account', async () => {
    const { store } = context.current;
    await store.accounts.upsert(quectel);
    await store.accounts.setEnabled('quectel-main', false);
    expect((await store.accounts.get('quectel-main'))?.enabled).toBe(false);
    await store.accounts.setEnabled('quectel-main', true);
    expect((await store.accounts.get('quectel-main'))?.enabled).toBe(true);
    const error = await rejection(store.accounts.setEnabled('absent', true));
    expect(error.code).toBe('not_found');
  });

  it('refuses to change the type of an existing account', async () => {
    const { store } = context.current;
    await store.accounts.upsert(quectel);
    const error = await rejection(store.accounts.upsert({ ...quectel, type: 'onelink-v2' }));
    expect(error.code).toBe('conflict');
    expect((await store.accounts.get('quectel-main'))?.type).toBe('quectel');
  });

  it('rejects secrets that are not strings', async () => {
    const { store } = context.current;
    const error = await rejection(
      store.accounts.upsert({ ...quectel, secrets: { secret: 42 as unknown as string } }),
    );
    expect(error.code).toBe('invalid_argument');
  });

  it('keeps secrets encrypted at rest', async () => {
    const { store } = context.current;
    await store.accounts.upsert(quectel);
    const raw = await store.db.selectFrom('accounts').selectAll().executeTakeFirstOrThrow();
    expect(raw.secrets).not.toContain('plain-secret-value-9f3a');
    expect(raw.secrets).not.toContain('secret');
    expect(raw.secrets).toMatch(/^v1:[0-9a-f]{12}:[A-Za-z0-9+/=]+$/);
    expect(raw.settings).toContain('app-key-1');
    // A fresh IV every time: the same secrets never give the same blob.
    await store.accounts.upsert(quectel);
    const again = await store.db.selectFrom('accounts').select('secrets').executeTakeFirstOrThrow();
    expect(again.secrets).not.toBe(raw.secrets);
  });

  it('fails clearly when the blob was moved to another account', async () => {
    const { store } = context.current;
    await store.accounts.upsert(quectel);
    await store.accounts.upsert({ ...quectel, id: 'quectel-two' });
    const first = await store.db
      .selectFrom('accounts')
      .select('secrets')
      .where('id', '=', 'quectel-main')
      .executeTakeFirstOrThrow();
    await store.db
      .updateTable('accounts')
      .set({ secrets: first.secrets })
      .where('id', '=', 'quectel-two')
      .execute();
    const error = await rejection(store.accounts.get('quectel-two'));
    expect(error.code).toBe('config_error');
    expect(error.message).toMatch(/account "quectel-two".*fail authentication/);
    expect((await store.accounts.get('quectel-main'))?.secrets).toEqual(quectel.secrets);
  });

  it('fails clearly with another key, and reads again with the right one', async () => {
    const { store, url } = context.current;
    await store.accounts.upsert(quectel);
    let other: Store | undefined;
    let file: string | undefined;
    try {
      // SQLite in memory is private to its connection: reopen the same rows from a file.
      if (target.dialect === 'sqlite') {
        const directory = mkdtempSync(path.join(tmpdir(), 'simdock-store-'));
        file = path.join(directory, 'simdock.db');
        await sql`vacuum into ${file}`.execute(store.db);
      }
      const otherUrl = file ? `sqlite:${file}` : url;
      other = await openStore({ url: otherUrl, secretKey: Buffer.alloc(32, 7) });
      const error = await rejection(other.accounts.get('quectel-main'));
      expect(error.code).toBe('config_error');
      expect(error.message).toMatch(/another secret key.*the secretKey option/);
      expect(error.message).not.toContain('plain-secret-value');
      expect((await rejection(other.accounts.list())).code).toBe('config_error');
      await other.close();
      other = await openStore({ url: otherUrl, secretKey: Buffer.alloc(32, 42).toString('hex') });
      expect((await other.accounts.get('quectel-main'))?.secrets).toEqual(quectel.secrets);
    } finally {
      await other?.close();
      if (file) rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});

describe('account secrets with a generated key file', () => {
  let directory: string | undefined;
  afterEach(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('generates the key file on first use and reads it back on the next open', async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'simdock-keyfile-'));
    const keyFile = path.join(directory, 'keys', 'secret.key');
    const first = await openTestStore('sqlite', { keyFile });
    await first.store.accounts.upsert(quectel);
    const raw = await first.store.db
      .selectFrom('accounts')
      .select('secrets')
      .executeTakeFirstOrThrow();
    await first.dispose();
    const second = await openTestStore('sqlite', { keyFile });
    await second.store.db
      .insertInto('accounts')
      .values({
        id: 'quectel-main',
        type: 'quectel',
        name: null,
        enabled: 1,
        settings: '{}',
        secrets: raw.secrets,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    expect((await second.store.accounts.get('quectel-main'))?.secrets).toEqual(quectel.secrets);
    await second.dispose();
  });
});
