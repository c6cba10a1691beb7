import type { Store } from '../../store/index.js';

/**
 * Seals and opens small secrets (webhook signing secrets, agent app secrets) with the store's
 * AES-256-GCM key. `SecretBox` from src/store satisfies it.
 */
export interface SecretSealer {
  seal(plaintext: string, associatedData: string): Promise<string>;
  open(sealed: string, associatedData: string, subject: string): Promise<string>;
}

const sealers = new WeakMap<Store, SecretSealer>();

/** The sealer of a store: its own key, unless one was set for it (tests, embedders). */
export function storeSecretSealer(store: Store): SecretSealer {
  return sealers.get(store) ?? store.secretBox;
}

/** Names another sealer for a store's webhook and agent app secrets. */
export function setStoreSecretSealer(store: Store, sealer: SecretSealer): void {
  sealers.set(store, sealer);
}
