import { SimdockError } from '../../domain/index.js';
import { unsupportedError } from './supplier-error.js';
import {
  type Capability,
  OPERATION_OF,
  type SupplierAdapterV1,
  type SupplierDefinition,
} from './supplier-spec.js';

/** The supplier types simdock knows, by `type`. */
export class SupplierCatalog {
  #definitions = new Map<string, SupplierDefinition<never>>();

  constructor(definitions: SupplierDefinition<never>[] = []) {
    for (const definition of definitions) this.add(definition);
  }

  add(definition: SupplierDefinition<never>): void {
    this.#definitions.set(definition.type, definition);
  }

  get(type: string): SupplierDefinition<unknown> {
    const definition = this.#definitions.get(type);
    if (!definition) {
      throw new SimdockError(
        'config_error',
        `unknown supplier type "${type}" (known: ${this.types().join(', ')})`,
      );
    }
    return definition as SupplierDefinition<unknown>;
  }

  types(): string[] {
    return [...this.#definitions.keys()];
  }

  /** Every definition, in catalog order. */
  definitions(): SupplierDefinition<unknown>[] {
    return [...this.#definitions.values()] as SupplierDefinition<unknown>[];
  }
}

/** Live adapters keyed by account id: two accounts of one supplier side by side is normal. */
export class AccountRegistry {
  #adapters = new Map<string, SupplierAdapterV1>();

  set(adapter: SupplierAdapterV1): void {
    this.#adapters.set(adapter.accountId, adapter);
  }

  get(accountId: string): SupplierAdapterV1 {
    const adapter = this.#adapters.get(accountId);
    if (!adapter) {
      throw new SimdockError('not_found', `no supplier account "${accountId}"`, {
        details: { account: accountId },
      });
    }
    return adapter;
  }

  has(accountId: string): boolean {
    return this.#adapters.has(accountId);
  }

  list(): SupplierAdapterV1[] {
    return [...this.#adapters.values()];
  }
}

/**
 * Returns the adapter's operation for a capability, bound to the adapter, or throws the typed
 * `unsupported` error when the adapter does not offer it.
 */
export function requireOperation<C extends Capability>(
  adapter: SupplierAdapterV1,
  capability: C,
): NonNullable<SupplierAdapterV1[(typeof OPERATION_OF)[C]]> {
  const name = OPERATION_OF[capability];
  const operation = adapter[name];
  if (!adapter.capabilities.has(capability) || typeof operation !== 'function') {
    throw unsupportedError(adapter.supplier, capability);
  }
  return (operation as (...args: unknown[]) => unknown).bind(adapter) as never;
}
