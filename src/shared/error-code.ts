/**
 * Whether `error`, or an error it was caused by (`cause`, as wrappers keep it), carries this code:
 * a Node system error's (`EADDRINUSE`) or a PostgreSQL SQLSTATE (`3D000`).
 */
export function hasErrorCode(error: unknown, code: string): boolean {
  for (let at: unknown = error; at instanceof Error; at = at.cause) {
    if ((at as { code?: unknown }).code === code) {
      return true
    }
  }
  return false
}
