import type { SecretBox } from './secret-box.js';

/**
 * Seals and opens small secrets (webhook signing secrets, agent app secrets) with the store's
 * AES-256-GCM key. `SecretBox` satisfies it.
 */
export interface SecretSealer {
  seal(plaintext: string, associatedData: string): Promise<string>;
  open(sealed: string, associatedData: string, subject: string): Promise<string>;
}

/** A store, or anything holding its secret box (the key of a sealer set for it). */
type SealerOwner = { readonly secretBox: SecretBox };

const sealers = new WeakMap<SealerOwner, SecretSealer>();

/** The sealer of a store: its own key, unless one was set for it (tests, embedders). */
export function storeSecretSealer(store: SealerOwner): SecretSealer {
  return sealers.get(store) ?? store.secretBox;
}

/** Names another sealer for a store's webhook and agent app secrets. */
export function setStoreSecretSealer(store: SealerOwner, sealer: SecretSealer): void {
  sealers.set(store, sealer);
}
