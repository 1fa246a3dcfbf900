/**
 * The PostgreSQL server the benches use (FAXD_TEST_DATABASE_URL, the test suite's default
 * otherwise) and one-off statements on it, such as creating and dropping a bench's schema.
 */
import pg from 'pg'

export const DATABASE_URL =
  process.env['FAXD_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Runs one statement on its own connection; answers the first column of its first row. */
export async function adminStatement(statement: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    const result = await client.query<Record<string, string>>(statement)
    const first = result.rows[0]
    return first === undefined ? undefined : Object.values(first)[0]
  } finally {
    await client.end()
  }
}
