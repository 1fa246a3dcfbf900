/**
 * Queries built and compiled once. Kysely builds a query's operation tree and compiles it to SQL
 * on every call: for the hot reads and writes, more CPU than the database spends on them (a
 * tenth to a fifth of a request). A CompiledStatement is built once per database handle, with a
 * slot wherever a value goes; each run puts that run's values in the slots and hands the SQL to
 * Kysely's executor as it is (Kysely's recipe "splitting build, compile and execute"). The
 * statement caches of the drivers then find it by the very same text.
 *
 * A slot compiles to a parameter, never to SQL that depends on its value: `where(c, '=', slot)`
 * is `c = ?` even when the value is null (Kysely writes `is null` for a null it can see), so
 * slots are for values that are never null in a comparison.
 */
import type { Compilable, CompiledQuery, Insertable, Kysely } from 'kysely'
import type { Database } from './schema.js'

/** Where a run's value goes: the name of a statement's slot, or a row and column of an insert. */
class Slot {
  readonly name: string
  readonly row: number

  constructor(name: string, row = 0) {
    this.name = name
    this.row = row
  }
}

/** The slots of a statement, by name; typed to fit any column, so the builder accepts them. */
export type Slots<Name extends string> = Readonly<Record<Name, never>>

interface Compiled<Row> {
  readonly query: CompiledQuery<Row>
  /** For each parameter, its slot, or null for a value fixed when the statement was built. */
  readonly slots: readonly (Slot | null)[]
}

function compile<Row>(query: Compilable<Row>): Compiled<Row> {
  const compiled = query.compile()
  return {
    query: compiled,
    slots: compiled.parameters.map((value) => (value instanceof Slot ? value : null)),
  }
}

function bind<Row>(compiled: Compiled<Row>, valueOf: (slot: Slot) => unknown): CompiledQuery<Row> {
  const { query, slots } = compiled
  return {
    ...query,
    parameters: slots.map((slot, i) => (slot === null ? query.parameters[i] : valueOf(slot))),
  }
}

/**
 * The database handle a Kysely instance compiles for: its adapter, one object per handle and
 * shared with its transactions, so that a statement compiled once serves both. (`getExecutor`
 * is marked internal in Kysely's typings; the test of this file proves what it answers.)
 */
function handleOf(db: Kysely<Database>): object {
  return db.getExecutor().adapter
}

/** A statement with named slots, built by `build` once per database handle. */
export class CompiledStatement<Name extends string, Row> {
  readonly #build: (db: Kysely<Database>, slots: Slots<Name>) => Compilable<Row>
  readonly #compiled = new WeakMap<object, Compiled<Row>>()

  constructor(build: (db: Kysely<Database>, slots: Slots<Name>) => Compilable<Row>) {
    this.#build = build
  }

  /** Runs the statement on `db` (a handle or one of its transactions) with `values`. */
  async execute(db: Kysely<Database>, values: Readonly<Record<Name, unknown>>): Promise<Row[]> {
    return (await db.executeQuery(this.with(db, values))).rows
  }

  /** The statement for `db` with `values`, to run later (statement-batch.ts). */
  with(db: Kysely<Database>, values: Readonly<Record<Name, unknown>>): CompiledQuery<Row> {
    const handle = handleOf(db)
    let compiled = this.#compiled.get(handle)
    if (compiled === undefined) {
      const slots = new Proxy({}, { get: (_, name) => new Slot(String(name)) })
      compiled = compile(this.#build(db, slots as Slots<Name>))
      this.#compiled.set(handle, compiled)
    }
    return bind(compiled, (slot) => values[slot.name as Name])
  }
}

/** Insert statements by database handle, then by table, columns and number of rows. */
const inserts = new WeakMap<object, Map<string, Compiled<unknown>>>()

/** The most rows one compiled insert takes: insert-rows.ts splits larger batches. */
export const MAX_COMPILED_INSERT_ROWS = 100

/**
 * Inserts `rows` into `table` in one statement, compiled once per database handle, table, column
 * list and number of rows (at most MAX_COMPILED_INSERT_ROWS, so at most that many shapes per
 * table). Every row must give a value (null included) for the same columns, as faxd's *-rows.ts
 * mappers do; rows that do not are refused rather than written with defaults.
 */
export async function insertCompiled<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length > 0) {
    await db.executeQuery(insertQuery(db, table, rows))
  }
}

/** insertCompiled's statement, to run later (statement-batch.ts); `rows` must not be empty. */
export function insertQuery<T extends keyof Database>(
  db: Kysely<Database>,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): CompiledQuery<unknown> {
  const [first] = rows
  if (first === undefined) {
    throw new RangeError(`insertQuery: no rows for ${table}`)
  }
  if (rows.length > MAX_COMPILED_INSERT_ROWS) {
    throw new Error(`insertCompiled: ${rows.length} rows, at most ${MAX_COMPILED_INSERT_ROWS}`)
  }
  const columns = columnsOf(first)
  for (const row of rows) {
    if (columnsOf(row).join(',') !== columns.join(',')) {
      throw new Error(`insertCompiled: the rows for ${table} do not give the same columns`)
    }
  }
  const handle = handleOf(db)
  let byShape = inserts.get(handle)
  if (byShape === undefined) {
    byShape = new Map()
    inserts.set(handle, byShape)
  }
  const shape = `${table}(${columns.join(',')})×${rows.length}`
  let compiled = byShape.get(shape)
  if (compiled === undefined) {
    const slotted = rows.map((_, row) =>
      Object.fromEntries(columns.map((column) => [column, new Slot(column, row)])),
    )
    compiled = compile(db.insertInto(table).values(slotted as Insertable<Database[T]>[]))
    byShape.set(shape, compiled)
  }
  return bind(compiled, (slot) => (rows[slot.row] as Record<string, unknown>)[slot.name])
}

/** The columns a row gives a value for, in its own order (a value of undefined gives none). */
function columnsOf(row: object): string[] {
  return Object.entries(row).flatMap(([column, value]) => (value === undefined ? [] : [column]))
}
