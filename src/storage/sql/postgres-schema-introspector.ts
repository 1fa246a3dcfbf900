/**
 * What Kysely learns about a PostgreSQL database (`db.introspection`), read from the current
 * schema only and from the catalog tables alone.
 *
 * Kysely's Migrator asks, before it takes its lock, whether its tables exist. Kysely's own
 * PostgreSQL introspector answers that by listing every column of every schema, and calls
 * `pg_get_serial_sequence(table, column)` and `has_schema_privilege(schema, …)` on each. Those
 * functions look the names up in the catalog as it is now, not as the query's snapshot saw
 * it: a column or schema dropped meanwhile by another connection fails the whole query
 * ("column "redirect_uri" of relation "oauth_clients" does not exist", when faxd in another
 * schema ran migration 0011 at that moment; also when several workers start together on one
 * schema and the first migrates it). This introspector joins catalog tables only, so it reads
 * one consistent snapshot, and only the schema faxd works in.
 */
import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  type Kysely,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely'

/** Kysely's PostgreSQL dialect with the introspector below. */
export class OneSchemaPostgresDialect extends PostgresDialect {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Dialect's own signature
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db)
  }
}

interface ColumnRow {
  readonly table: string
  readonly kind: string
  readonly schema: string
  readonly column: string
  readonly type: string
  readonly type_schema: string
  readonly not_null: boolean
  readonly has_default: boolean
  readonly auto_incrementing: boolean
  readonly comment: string | null
}

export class CurrentSchemaIntrospector implements DatabaseIntrospector {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any database's catalog
  readonly #db: Kysely<any>

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  constructor(db: Kysely<any>) {
    this.#db = db
  }

  /** Every schema of the database: its names, which need no other lookup. */
  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`
      select nspname as name from pg_catalog.pg_namespace order by nspname`.execute(this.#db)
    return rows.map((row) => ({ name: row.name }))
  }

  /**
   * The tables and views of the current schema with their columns. A column is
   * auto-incrementing when it is an identity column or owns a sequence (what `serial` makes),
   * read from pg_depend rather than through pg_get_serial_sequence.
   */
  async getTables(
    options: DatabaseMetadataOptions = { withInternalKyselyTables: false },
  ): Promise<TableMetadata[]> {
    const { rows } = await sql<ColumnRow>`
      select c.relname as table, c.relkind as kind, ns.nspname as schema,
        a.attname as column, typ.typname as type, typns.nspname as type_schema,
        a.attnotnull as not_null, a.atthasdef as has_default,
        (a.attidentity <> '' or exists (
          select 1 from pg_catalog.pg_depend dep
          join pg_catalog.pg_class seq on seq.oid = dep.objid
          where dep.classid = 'pg_catalog.pg_class'::regclass
            and dep.refclassid = 'pg_catalog.pg_class'::regclass
            and dep.refobjid = c.oid and dep.refobjsubid = a.attnum
            and dep.deptype in ('a', 'i') and seq.relkind = 'S'
        )) as auto_incrementing,
        descr.description as comment
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      join pg_catalog.pg_attribute a on a.attrelid = c.oid
      join pg_catalog.pg_type typ on typ.oid = a.atttypid
      join pg_catalog.pg_namespace typns on typns.oid = typ.typnamespace
      left join pg_catalog.pg_description descr on descr.objoid = c.oid
        and descr.classoid = 'pg_catalog.pg_class'::regclass and descr.objsubid = a.attnum
      where ns.nspname = current_schema() and c.relkind in ('r', 'v', 'p')
        and a.attnum > 0 and not a.attisdropped
      order by c.relname, a.attnum`.execute(this.#db)
    const internal = new Set([DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE])
    const tables = new Map<string, TableMetadata>()
    for (const row of rows) {
      if (!options.withInternalKyselyTables && internal.has(row.table)) {
        continue
      }
      let table = tables.get(row.table)
      if (table === undefined) {
        table = { name: row.table, schema: row.schema, isView: row.kind === 'v', columns: [] }
        tables.set(row.table, table)
      }
      table.columns.push({
        name: row.column,
        dataType: row.type,
        dataTypeSchema: row.type_schema,
        isNullable: !row.not_null,
        isAutoIncrementing: row.auto_incrementing,
        hasDefaultValue: row.has_default,
        ...(row.comment === null ? {} : { comment: row.comment }),
      })
    }
    return [...tables.values()]
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) }
  }
}
