import type { Selectable } from 'kysely';
import { SimdockError } from '../domain/errors.js';
import type { StoreContext } from './store-context.js';
import type { AccountsTable } from './store-schema.js';
import { parseJsonObject, requireObject, requireText, writeTransaction } from './store-sql.js';

/** A supplier account as stored, secrets decrypted. Times are epoch milliseconds. */
export interface StoredAccount {
  id: string;
  /** The supplier type (`onelink-v2`, `quectel`, …). */
  type: string;
  name: string | null;
  enabled: boolean;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

/** What `accounts.upsert` takes. */
export interface AccountInput {
  id: string;
  type: string;
  /** Omitted: kept as stored (null for a new account). */
  name?: string | null;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  /** Omitted: kept as stored (enabled for a new account). */
  enabled?: boolean;
}

/**
 * Supplier accounts. Secrets are sealed with AES-256-GCM as one blob per account, bound to the
 * account id; reading them with another key fails with `config_error`.
 */
export class AccountsRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /**
   * Creates or replaces an account's type, settings and secrets. Changing the type of an existing
   * account is a `conflict`: its cards belong to the old supplier.
   */
  async upsert(input: AccountInput): Promise<StoredAccount> {
    const id = requireText(input.id, 'account id');
    const type = requireText(input.type, 'account type');
    const settings = requireObject(input.settings, 'account settings');
    const secrets = requireSecrets(input.secrets);
    const sealed = await this.#context.secretBox.seal(JSON.stringify(secrets), id);
    const now = this.#context.clock.now();
    const { db, dialect } = this.#context;
    return writeTransaction(db, dialect, async (transaction) => {
      const existing = await transaction
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (existing && existing.type !== type) {
        throw new SimdockError(
          'conflict',
          `account "${id}" is of type ${existing.type}, not ${type}: use a new account id`,
          { details: { account: id, storedType: existing.type, type } },
        );
      }
      const name = input.name !== undefined ? input.name : (existing?.name ?? null);
      const enabled = input.enabled !== undefined ? input.enabled : existing?.enabled !== 0;
      const row = {
        id,
        type,
        name,
        enabled: enabled ? 1 : 0,
        settings: JSON.stringify(settings),
        secrets: sealed,
        created_at: existing?.created_at ?? now,
        updated_at: now,
      };
      if (existing) {
        await transaction.updateTable('accounts').set(row).where('id', '=', id).execute();
      } else {
        await transaction.insertInto('accounts').values(row).execute();
      }
      return {
        id,
        type,
        name,
        enabled,
        settings,
        secrets,
        createdAt: row.created_at,
        updatedAt: now,
      };
    });
  }

  /** The account, or null. */
  async get(id: string): Promise<StoredAccount | null> {
    const row = await this.#context.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? this.#toAccount(row) : null;
  }

  /** Every account, by id. */
  async list(): Promise<StoredAccount[]> {
    const rows = await this.#context.db.selectFrom('accounts').selectAll().orderBy('id').execute();
    return Promise.all(rows.map((row) => this.#toAccount(row)));
  }

  /** Enables or disables an account; `not_found` when there is none. */
  async setEnabled(id: string, enabled: boolean): Promise<void> {
    const result = await this.#context.db
      .updateTable('accounts')
      .set({ enabled: enabled ? 1 : 0, updated_at: this.#context.clock.now() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw new SimdockError('not_found', `account "${id}" does not exist`, {
        details: { account: id },
      });
    }
  }

  async #toAccount(row: Selectable<AccountsTable>): Promise<StoredAccount> {
    const secretsJson = await this.#context.secretBox.open(
      row.secrets,
      row.id,
      `account "${row.id}"`,
    );
    return {
      id: row.id,
      type: row.type,
      name: row.name,
      enabled: row.enabled !== 0,
      settings: parseJsonObject(row.settings) ?? {},
      secrets: JSON.parse(secretsJson) as Record<string, string>,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}

function requireSecrets(value: unknown): Record<string, string> {
  const secrets = requireObject(value, 'account secrets');
  for (const [name, secret] of Object.entries(secrets)) {
    if (typeof secret !== 'string') {
      throw new SimdockError('invalid_argument', `account secret "${name}" must be a string`);
    }
  }
  return secrets as Record<string, string>;
}
