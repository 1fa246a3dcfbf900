/**
 * CurrentSchemaIntrospector on the real PostgreSQL: `db.introspection` lists the tables of the
 * connection's schema only, with their columns as Kysely describes them, and keeps answering
 * while other connections add and drop columns, in another schema and in this one. (Kysely's
 * own introspector failed about one call in thirty under that churn, and with it the Migrator
 * of a faxd starting beside another one that migrated: the CI failure of stop 26.)
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { migrateToLatest } from '../../src/storage/sql/migrate.js'
import { aPostgresSchema, type PostgresSchema } from '../support/postgres-schema.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

describe('CurrentSchemaIntrospector', () => {
  let here: PostgresSchema
  let elsewhere: PostgresSchema
  let hereName: string
  let elsewhereName: string
  let admin: pg.Client

  before(async () => {
    here = await aPostgresSchema('introspect')
    elsewhere = await aPostgresSchema('elsewhere')
    hereName = here.name
    elsewhereName = elsewhere.name
    admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await admin.connect()
    await migrateToLatest(here.db(), 'postgres')
    await admin.query(`create table ${elsewhereName}.elsewhere_table (id integer)`)
    await admin.query(`create table ${hereName}.counters (
      id serial primary key,
      generated integer generated always as identity,
      plain integer)`)
    await admin.query(`comment on column ${hereName}.counters.plain is 'a plain number'`)
  })
  after(async () => {
    await admin?.end()
    await here?.drop()
    await elsewhere?.drop()
  })

  it("lists the current schema's tables with their columns, and no other schema's", async () => {
    const tables = await here.db().introspection.getTables()
    const names = tables.map((table) => table.name)
    assert.ok(names.includes('accounts') && names.includes('oauth_clients'), names.join(', '))
    assert.ok(!names.includes('elsewhere_table'))
    assert.ok(!names.includes('kysely_migration'), "Kysely's tables only when asked for")
    assert.deepEqual(new Set(tables.map((table) => table.schema)), new Set([hereName]))

    const clients = tables.find((table) => table.name === 'oauth_clients')!
    const redirectUris = clients.columns.find((column) => column.name === 'redirect_uris')
    assert.deepEqual(redirectUris, {
      name: 'redirect_uris',
      dataType: 'text',
      dataTypeSchema: 'pg_catalog',
      isNullable: false,
      isAutoIncrementing: false,
      hasDefaultValue: true,
    })
    assert.ok(!clients.columns.some((column) => column.name === 'redirect_uri'), 'dropped in 0011')

    const counters = tables.find((table) => table.name === 'counters')!
    assert.deepEqual(
      counters.columns.map((column) => [column.name, column.isAutoIncrementing, column.comment]),
      [
        ['id', true, undefined],
        ['generated', true, undefined],
        ['plain', false, 'a plain number'],
      ],
    )

    const withInternal = await here.db().introspection.getTables({ withInternalKyselyTables: true })
    assert.ok(withInternal.some((table) => table.name === 'kysely_migration'))
    const schemas = await here.db().introspection.getSchemas()
    assert.ok(
      schemas.some((schema) => schema.name === elsewhereName),
      'every schema is listed',
    )
  })

  it('keeps answering while columns come and go, in another schema and in this one', async () => {
    await admin.query(`create table ${hereName}.churn (id integer)`)
    let churning = true
    let churns = 0
    const churn = (async () => {
      while (churning) {
        for (const table of [`${elsewhereName}.elsewhere_table`, `${hereName}.churn`]) {
          await admin.query(`alter table ${table} add column passing integer`)
          await admin.query(`alter table ${table} drop column passing`)
        }
        churns += 1
      }
    })()
    try {
      const calls = 300
      for (let call = 0; call < calls; call += 1) {
        await here.db().introspection.getTables({ withInternalKyselyTables: true })
      }
    } finally {
      churning = false
      await churn
    }
    assert.ok(churns > 10, `the columns changed ${churns} times meanwhile`)
  })
})
