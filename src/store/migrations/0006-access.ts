import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/**
 * Who may use the API and what they see: tenants in a hierarchy (a materialized path per
 * tenant), console users and their sessions, API keys, the assignment of cards to tenants
 * (划卡), card tags, and the tenant each audit entry belongs to.
 */
export const accessSchema: StoreMigration = {
  name: '0006-access',
  async up(db, dialect) {
    await db.schema
      .createTable('tenants')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('parent_id', 'text')
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      // `/root/acme/agent-1/`: the tenant's subtree is every path starting with its own.
      .addColumn('path', 'text', (column) => column.notNull().unique())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .$call(idColumn(dialect))
      .addColumn('email', 'text', (column) => column.notNull().unique())
      .addColumn('password_hash', 'text', (column) => column.notNull())
      .addColumn('role', 'text', (column) => column.notNull())
      .addColumn('tenant_id', 'text', (column) => column.notNull())
      .addColumn('disabled', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('last_login_at', BIGINT)
      .execute();

    await db.schema
      .createTable('sessions')
      // The SHA-256 of the cookie's token: a leaked table opens no session.
      .addColumn('token_hash', 'text', (column) => column.primaryKey())
      .addColumn('user_id', BIGINT, (column) =>
        column.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('csrf_token', 'text', (column) => column.notNull())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('expires_at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

    await db.schema
      .createTable('api_keys')
      .$call(idColumn(dialect))
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('prefix', 'text', (column) => column.notNull().unique())
      .addColumn('secret_hash', 'text', (column) => column.notNull())
      .addColumn('role', 'text', (column) => column.notNull())
      .addColumn('tenant_id', 'text', (column) => column.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('last_used_at', BIGINT)
      .addColumn('revoked_at', BIGINT)
      .execute();

    await db.schema
      .createTable('card_tenants')
      .addColumn('card_id', BIGINT, (column) =>
        column.primaryKey().references('cards.id').onDelete('cascade'),
      )
      .addColumn('tenant_id', 'text', (column) => column.notNull())
      .addColumn('tenant_path', 'text', (column) => column.notNull())
      .addColumn('assigned_at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('card_tenants_path_card')
      .on('card_tenants')
      .columns(['tenant_path', 'card_id'])
      .execute();

    await db.schema
      .createTable('card_tags')
      .addColumn('card_id', BIGINT, (column) =>
        column.notNull().references('cards.id').onDelete('cascade'),
      )
      .addColumn('tag', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('card_tags_pk', ['card_id', 'tag'])
      .execute();
    await db.schema
      .createIndex('card_tags_tag_card')
      .on('card_tags')
      .columns(['tag', 'card_id'])
      .execute();

    await db.schema
      .createTable('audit_tenants')
      .addColumn('audit_id', BIGINT, (column) => column.primaryKey())
      .addColumn('tenant_path', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('audit_tenants_path')
      .on('audit_tenants')
      .columns(['tenant_path', 'audit_id'])
      .execute();
  },
};
