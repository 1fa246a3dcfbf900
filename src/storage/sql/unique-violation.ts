/**
 * Recognises a unique-constraint violation on one column as either engine reports it: SQLite
 * says "UNIQUE constraint failed: <table>.<column>", PostgreSQL gives code 23505 and the
 * constraint name, which the migrations spell `<table>_<column>_key` (or `<table>_pkey`).
 */
interface DriverError {
  readonly code?: unknown
  readonly constraint?: unknown
}

export function isUniqueViolation(error: unknown, table: string, column: string): boolean {
  if (!(error instanceof Error)) {
    return false
  }
  const { code, constraint } = error as Error & DriverError
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return error.message === `UNIQUE constraint failed: ${table}.${column}`
  }
  return code === '23505' && constraint === `${table}_${column}_key`
}
