/**
 * Start-up errors a new user met (issue 14, point 4), each said plainly instead of a stack or an
 * `internal_error`: `faxd serve` on a port another process holds exits 1 at once, naming the
 * port and how to choose another, before it opens or logs anything; a DATABASE_URL naming a
 * database the server does not have says so, and how to create it; a database a newer faxd
 * migrated is refused, naming the migration, and left as it was.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import SQLite from 'better-sqlite3'
import { DatabaseNewerError } from '../../src/storage/sql/migrate.js'
import {
  DatabaseMissingError,
  openStore,
  SQLITE_FILE_NAME,
} from '../../src/storage/sql/open-store.js'
import { BIN } from '../support/faxd-process.js'
import { TEST_DATABASE_URL } from '../support/test-database.js'

const run = promisify(execFile)

async function faxd(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('start-up errors', () => {
  it('faxd serve on a taken port names it and says how to choose another', async () => {
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const { port } = holder.address() as { port: number }
    const folder = await mkdtemp(join(tmpdir(), 'faxd-port-'))
    try {
      const result = await faxd(
        { PORT: String(port), HOST: '127.0.0.1', FAXD_DATA: join(folder, 'data') },
        'serve',
      )
      assert.equal(result.code, 1, result.stderr)
      assert.equal(result.stdout, '', 'nothing logged')
      assert.deepEqual(JSON.parse(result.stderr.trim()), {
        error: 'invalid_config',
        description:
          `PORT ${port} on HOST 127.0.0.1 is taken by another process (another faxd?): stop it, ` +
          `or start faxd on another port, e.g. PORT=${port + 1}`,
      })
      assert.deepEqual(await readdir(folder), [], 'nothing made in the data folder')
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()))
      await rm(folder, { recursive: true, force: true })
    }
  })

  it('a DATABASE_URL naming a database that does not exist says how to create it', async () => {
    // In this process: faxd serve, faxd worker and the operator commands all open the store
    // this way, and the CLI answers DatabaseMissingError as database_missing (src/cli/main.ts).
    const name = `faxd_missing_${randomBytes(4).toString('hex')}`
    const url = new URL(TEST_DATABASE_URL)
    url.pathname = `/${name}`
    const host = `${url.hostname}:${url.port || '5432'}`
    await assert.rejects(
      openStore({ databaseUrl: url.href, dataDir: tmpdir() }),
      (error: unknown) => {
        assert.ok(error instanceof DatabaseMissingError, String(error))
        assert.ok(
          error.message.startsWith(
            `the database "${name}" that DATABASE_URL names does not exist on the PostgreSQL server at ${host}: create it (createdb -h ${url.hostname}`,
          ),
          error.message,
        )
        assert.match(error.message, new RegExp(`CREATE DATABASE "${name}"`))
        return true
      },
    )
  })

  it('a database migrated by a newer faxd is refused, naming the migration, and left as it was', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'faxd-newer-'))
    try {
      const store = await openStore({ dataDir: folder })
      await store.close()
      const file = new SQLite(join(folder, SQLITE_FILE_NAME))
      file
        .prepare('insert into kysely_migration (name, timestamp) values (?, ?)')
        .run('0099-from-the-future', '2027-01-01T00:00:00.000Z')
      const tablesBefore = file.prepare('select name from sqlite_master order by name').all()
      file.close()
      await assert.rejects(openStore({ dataDir: folder }), (error: unknown) => {
        assert.ok(error instanceof DatabaseNewerError, String(error))
        assert.match(
          error.message,
          /^the database was migrated by a newer faxd \(migration 0099-from-the-future, which this faxd does not know\)/,
        )
        return true
      })
      const after = new SQLite(join(folder, SQLITE_FILE_NAME), { readonly: true })
      try {
        assert.deepEqual(
          after.prepare('select name from sqlite_master order by name').all(),
          tablesBefore,
        )
      } finally {
        after.close()
      }
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })
})
