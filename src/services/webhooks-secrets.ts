import path from 'node:path';
import { sql } from 'kysely';
import type { Store } from '../store/index.js';
import { SecretBox } from '../store/secret-box.js';
import { secretKeySource } from '../store/secret-key.js';

/**
 * Seals and opens small secrets (webhook signing secrets, agent app secrets) with the store's
 * AES-256-GCM key. `SecretBox` from src/store satisfies it.
 */
export interface SecretSealer {
  seal(plaintext: string, associatedData: string): Promise<string>;
  open(sealed: string, associatedData: string, subject: string): Promise<string>;
}

const sealers = new WeakMap<Store, SecretSealer>();

/**
 * The sealer of a store's secret key. The `Store` interface does not hand its `SecretBox` out,
 * so the key is found the way `openStore` finds it by default: `SIMDOCK_SECRET_KEY`, else the
 * `secret.key` file beside the SQLite database (or in `./data` for PostgreSQL). A store opened
 * with an explicit `secretKey` option must be given a sealer built from that key instead.
 */
export function storeSecretSealer(
  store: Store,
  environment: NodeJS.ProcessEnv = process.env,
): SecretSealer {
  const exposed = (store as Store & { secretBox?: SecretSealer }).secretBox;
  if (exposed) return exposed;
  let sealer = sealers.get(store);
  if (sealer) return sealer;
  let source: Promise<() => ReturnType<ReturnType<typeof secretKeySource>>> | undefined;
  const keySource = () => {
    source ??= keyFileOf(store).then((keyFile) => secretKeySource({ keyFile, env: environment }));
    return source.then((load) => load());
  };
  sealer = new SecretBox(keySource);
  sealers.set(store, sealer);
  return sealer;
}

/**
 * Names the sealer of a store opened with an explicit key (tests, embedders), so webhook and
 * agent app secrets are sealed with that key too.
 */
export function setStoreSecretSealer(store: Store, sealer: SecretSealer): void {
  sealers.set(store, sealer);
}

/** Where `openStore` keeps the key file of this store when no key is given. */
async function keyFileOf(store: Store): Promise<string> {
  if (store.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; file: string }>`pragma database_list`.execute(
      store.db,
    );
    const file = rows.find((row) => row.name === 'main')?.file;
    if (file) return path.join(path.dirname(path.resolve(file)), 'secret.key');
  }
  return path.resolve('data', 'secret.key');
}
