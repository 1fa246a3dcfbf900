/**
 * Where driver errors that mean "the database cannot answer now" become StoreUnavailableError:
 * a Kysely dialect that wraps the engine's own, so every query, transaction statement and
 * connection taken from the pool passes through one translation, whichever repository runs it.
 * Other errors (a unique violation, a bug in a query) pass through untouched.
 *
 * Unavailable means: PostgreSQL SQLSTATE class 08 (connection exception), 57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections; a socket that
 * cannot be opened or was cut (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOTFOUND, …); pg's
 * own "Connection terminated" errors and its connection timeout; SQLite still locked after its
 * busy timeout (SQLITE_BUSY). A full disk (SQLite SQLITE_FULL, PostgreSQL 53100 disk_full) is
 * unavailable too, with its own reason: it lasts until an operator makes room.
 */
import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely'
import {
  StoreUnavailableError,
  type StoreUnavailableReason,
} from '../../domain/store-unavailable.js'

const UNREACHABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300'])
const UNREACHABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
])
/** pg's and pg-pool's own errors for a connection that ended, never opened, or cannot be used. */
const UNREACHABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable$/,
]

/** Why `error` means the store cannot answer now, or undefined when it means something else. */
export function storeUnavailableReason(error: unknown): StoreUnavailableReason | undefined {
  if (!(error instanceof Error)) {
    return undefined
  }
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_BUSY')) {
      return 'busy'
    }
    if (code === 'SQLITE_FULL' || code === '53100') {
      return 'full'
    }
    if (/^08[0-9A-Z]{3}$/.test(code) || UNREACHABLE_SQLSTATES.has(code)) {
      return 'unreachable'
    }
    if (UNREACHABLE_SOCKET_CODES.has(code)) {
      return 'unreachable'
    }
  }
  if (UNREACHABLE_MESSAGES.some((pattern) => pattern.test(error.message))) {
    return 'unreachable'
  }
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  if (error instanceof AggregateError && error.errors.length > 0) {
    const reasons = error.errors.map(storeUnavailableReason)
    return reasons.every((reason) => reason === 'unreachable') ? 'unreachable' : undefined
  }
  return undefined
}

const DESCRIPTIONS: Readonly<Record<StoreUnavailableReason, string>> = {
  unreachable: 'the database cannot be reached',
  busy: 'the database stayed locked by other writers',
  full: 'the database disk is full',
}

function translated(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) {
    return error
  }
  const reason = storeUnavailableReason(error)
  if (reason === undefined) {
    return error
  }
  const detail = error instanceof Error && error.message !== '' ? `: ${error.message}` : ''
  return new StoreUnavailableError(reason, `${DESCRIPTIONS[reason]}${detail}`, { cause: error })
}

async function translating<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw translated(error)
  }
}

export class StoreUnavailableDialect implements Dialect {
  readonly #inner: Dialect

  constructor(inner: Dialect) {
    this.#inner = inner
  }

  createDriver(): Driver {
    return new StoreUnavailableDriver(this.#inner.createDriver())
  }

  createQueryCompiler(): QueryCompiler {
    return this.#inner.createQueryCompiler()
  }

  createAdapter(): DialectAdapter {
    return this.#inner.createAdapter()
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Dialect's own signature
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.#inner.createIntrospector(db)
  }
}

type CompileQuery = QueryCompiler['compileQuery']

class StoreUnavailableDriver implements Driver {
  readonly #inner: Driver

  constructor(inner: Driver) {
    this.#inner = inner
  }

  init(): Promise<void> {
    return translating(() => this.#inner.init())
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new TranslatingConnection(await translating(() => this.#inner.acquireConnection()))
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return translating(() => this.#inner.beginTransaction(unwrap(connection), settings))
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return translating(() => this.#inner.commitTransaction(unwrap(connection)))
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return translating(() => this.#inner.rollbackTransaction(unwrap(connection)))
  }

  savepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    const inner = this.#inner
    return translating(async () => {
      if (inner.savepoint === undefined) {
        throw new Error('the database driver has no savepoints')
      }
      await inner.savepoint(unwrap(connection), name, compile)
    })
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: CompileQuery,
  ): Promise<void> {
    const inner = this.#inner
    return translating(async () => {
      if (inner.rollbackToSavepoint === undefined) {
        throw new Error('the database driver has no savepoints')
      }
      await inner.rollbackToSavepoint(unwrap(connection), name, compile)
    })
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: CompileQuery,
  ): Promise<void> {
    const inner = this.#inner
    return translating(async () => {
      if (inner.releaseSavepoint === undefined) {
        throw new Error('the database driver has no savepoints')
      }
      await inner.releaseSavepoint(unwrap(connection), name, compile)
    })
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(unwrap(connection))
  }

  destroy(): Promise<void> {
    return this.#inner.destroy()
  }
}

class TranslatingConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection

  constructor(inner: DatabaseConnection) {
    this.inner = inner
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return translating(() => this.inner.executeQuery<R>(compiledQuery))
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize)
    } catch (error) {
      throw translated(error)
    }
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof TranslatingConnection ? connection.inner : connection
}
