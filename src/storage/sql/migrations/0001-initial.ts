/**
 * The first schema: every table, key and index, written once for both SQLite and PostgreSQL.
 * Constraint names follow PostgreSQL's defaults (`<table>_<column>_key` for unique columns),
 * which is what src/storage/sql/unique-violation.ts matches. Never edit a released migration;
 * add the next one.
 */
import type { Kysely } from 'kysely'

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('account_type', 'text', (c) => c.notNull())
    .addColumn('admin_uid', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('lastname', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('profile_image', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('account_data', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('notifications', 'text')
    .addColumn('member_quota', 'integer')
    .addColumn('member_role', 'text')
    .addColumn('password_hash', 'text')
    .addUniqueConstraint('accounts_email_key', ['email'])
    .addForeignKeyConstraint('accounts_admin_uid_fkey', ['admin_uid'], 'accounts', ['uid'])
    .execute()
  await db.schema.createIndex('accounts_admin_uid_idx').on('accounts').column('admin_uid').execute()

  await db.schema
    .createTable('numbers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('owner_uid', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('is_canceled', 'integer', (c) => c.notNull())
    .addUniqueConstraint('numbers_number_key', ['number'])
    .addForeignKeyConstraint('numbers_owner_uid_fkey', ['owner_uid'], 'accounts', ['uid'])
    .execute()
  await db.schema.createIndex('numbers_owner_uid_idx').on('numbers').column('owner_uid').execute()

  await db.schema
    .createTable('number_assignments')
    .addColumn('number_id', 'text', (c) => c.notNull())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('number_assignments_pkey', ['number_id', 'uid'])
    .addForeignKeyConstraint(
      'number_assignments_number_id_fkey',
      ['number_id'],
      'numbers',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint('number_assignments_uid_fkey', ['uid'], 'accounts', ['uid'])
    .execute()
  await db.schema
    .createIndex('number_assignments_uid_idx')
    .on('number_assignments')
    .column('uid')
    .execute()

  await db.schema
    .createTable('oauth_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('oauth_clients_uid_fkey', ['uid'], 'accounts', ['uid'])
    .execute()

  await db.schema
    .createTable('oauth_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('is_used', 'integer', (c) => c.notNull())
    .addForeignKeyConstraint('oauth_codes_client_id_fkey', ['client_id'], 'oauth_clients', [
      'client_id',
    ])
    .addForeignKeyConstraint('oauth_codes_uid_fkey', ['uid'], 'accounts', ['uid'])
    .execute()

  await db.schema
    .createTable('access_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text')
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('access_tokens_secret_hash_key', ['secret_hash'])
    .addForeignKeyConstraint('access_tokens_uid_fkey', ['uid'], 'accounts', ['uid'])
    .addForeignKeyConstraint('access_tokens_client_id_fkey', ['client_id'], 'oauth_clients', [
      'client_id',
    ])
    .execute()

  await db.schema
    .createTable('uploaded_files')
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('uploaded_files_pkey', ['path'])
    .addForeignKeyConstraint('uploaded_files_uid_fkey', ['uid'], 'accounts', ['uid'])
    .execute()

  await db.schema
    .createTable('outbox_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('from_text', 'text', (c) => c.notNull())
    .addColumn('to_numbers', 'text', (c) => c.notNull())
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('from_fax_id', 'text')
    .addColumn('from_fax_owner_uid', 'text')
    .addColumn('comment_text', 'text', (c) => c.notNull())
    .addColumn('comment_tags', 'text', (c) => c.notNull())
    .addColumn('enhancement', 'integer', (c) => c.notNull())
    .addColumn('retry_count', 'integer', (c) => c.notNull())
    .addColumn('retry_delay_seconds', 'integer', (c) => c.notNull())
    .addColumn('partially_sent_retry', 'integer', (c) => c.notNull())
    .addColumn('resolution', 'text', (c) => c.notNull())
    .addColumn('cover_page', 'text')
    .addColumn('send_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint', (c) => c.notNull())
    .addColumn('page_count', 'integer', (c) => c.notNull())
    .addColumn('client_ip', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('outbox_entries_uid_fkey', ['uid'], 'accounts', ['uid'])
    .execute()
  await db.schema
    .createIndex('outbox_entries_uid_submitted_at_idx')
    .on('outbox_entries')
    .columns(['uid', 'submitted_at', 'id'])
    .execute()

  await db.schema
    .createTable('outbox_status_changes')
    .addColumn('outbox_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('outbox_status_changes_pkey', ['outbox_id', 'position'])
    .addForeignKeyConstraint(
      'outbox_status_changes_outbox_id_fkey',
      ['outbox_id'],
      'outbox_entries',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute()

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('outbox_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text')
    .addForeignKeyConstraint(
      'deliveries_outbox_id_fkey',
      ['outbox_id'],
      'outbox_entries',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute()
  await db.schema
    .createIndex('deliveries_outbox_id_position_idx')
    .on('deliveries')
    .columns(['outbox_id', 'position'])
    .execute()

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('locked_by', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('outbox_id', 'text')
    .addForeignKeyConstraint('jobs_outbox_id_fkey', ['outbox_id'], 'outbox_entries', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute()
  await db.schema.createIndex('jobs_run_at_idx').on('jobs').column('run_at').execute()
  await db.schema.createIndex('jobs_outbox_id_idx').on('jobs').column('outbox_id').execute()

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('webhooks_uid_fkey', ['uid'], 'accounts', ['uid'])
    .execute()
  await db.schema
    .createIndex('webhooks_uid_event_idx')
    .on('webhooks')
    .columns(['uid', 'event'])
    .execute()

  await db.schema
    .createTable('faxes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_uid', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pages', 'integer', (c) => c.notNull())
    .addColumn('duration_seconds', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('is_read', 'integer', (c) => c.notNull())
    .addColumn('is_spam', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('max_retry', 'integer')
    .addColumn('retry_delay_seconds', 'integer')
    .addForeignKeyConstraint('faxes_owner_uid_fkey', ['owner_uid'], 'accounts', ['uid'])
    .execute()
  await db.schema
    .createIndex('faxes_owner_uid_started_at_idx')
    .on('faxes')
    .columns(['owner_uid', 'started_at'])
    .execute()
}
