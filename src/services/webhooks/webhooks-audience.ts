import type { Store } from '../../store/index.js';
import type { StoredEvent } from '../../store/repositories/event-outbox.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';

/**
 * Which tenants' endpoints may receive an event: the root tenant (the operator) receives every
 * event; another tenant receives events about cards assigned to it or below it, and no event
 * that names no card (account syncs, jobs), which concern the operator's supplier accounts.
 */
export class WebhookAudience {
  readonly #store: Store;
  readonly #paths = new Map<string, string | null>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** The tenant's materialized path, or null when the tenant no longer exists. */
  async #path(tenantId: string): Promise<string | null> {
    if (!this.#paths.has(tenantId)) {
      const tenant = await new TenantsRepository(this.#store).get(tenantId);
      this.#paths.set(tenantId, tenant?.path ?? null);
    }
    return this.#paths.get(tenantId) ?? null;
  }

  async #isRoot(tenantId: string): Promise<boolean> {
    const path = await this.#path(tenantId);
    return path !== null && path.split('/').filter(Boolean).length === 1;
  }

  /** Whether endpoints of `tenantId` may receive `event`. */
  async canSee(tenantId: string, event: StoredEvent): Promise<boolean> {
    const path = await this.#path(tenantId);
    if (path === null) return false;
    if (await this.#isRoot(tenantId)) return true;
    if (event.cardId === null) return false;
    return new TenantsRepository(this.#store).cardInSubtree(event.cardId, path);
  }
}
