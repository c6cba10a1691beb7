import { SimdockError } from '../domain/index.js';
import type { Store } from '../store/index.js';

/** Leadership held by this process: one node at a time runs the scheduler. */
export interface Leadership {
  /** Aborted when leadership ends: released, or lost with the connection holding it. */
  readonly signal: AbortSignal;
  /** Gives leadership up (another node may take it at once). */
  release(): Promise<void>;
}

export interface LeadershipOptions {
  /** What is led (default `scheduler`); each name has its own leader. */
  name?: string;
  /** PostgreSQL: the URL a dedicated connection for the lock is opened on (required there). */
  databaseUrl?: string;
  /** PostgreSQL: how often (real time) the holding connection is checked (default 5 s). */
  checkIntervalMs?: number;
}

/** In-process leaders of SQLite stores: SQLite deployments run one node. */
const sqliteLeaders = new WeakMap<Store, Set<string>>();

/**
 * Tries to become the leader for `name`; null when another holder has it. On SQLite the lock is
 * in-process; on PostgreSQL it is a session advisory lock (`pg_try_advisory_lock`, keyed by the
 * name and the current schema) held on a dedicated connection, so when that connection drops,
 * the server frees the lock and this process's `signal` aborts.
 */
export async function acquireLeadership(
  store: Store,
  options: LeadershipOptions = {},
): Promise<Leadership | null> {
  const name = options.name ?? 'scheduler';
  if (store.dialect === 'sqlite') return acquireInProcess(store, name);
  if (!options.databaseUrl) {
    throw new SimdockError('config_error', 'leadership on PostgreSQL needs the database URL');
  }
  return store.advisoryLocks.tryAcquire(
    options.databaseUrl,
    name,
    options.checkIntervalMs ?? 5_000,
  );
}

function acquireInProcess(store: Store, name: string): Leadership | null {
  let held = sqliteLeaders.get(store);
  if (!held) {
    held = new Set();
    sqliteLeaders.set(store, held);
  }
  if (held.has(name)) return null;
  held.add(name);
  const controller = new AbortController();
  return {
    signal: controller.signal,
    async release() {
      if (controller.signal.aborted) return;
      held.delete(name);
      controller.abort(new SimdockError('cancelled', 'leadership released'));
    },
  };
}
