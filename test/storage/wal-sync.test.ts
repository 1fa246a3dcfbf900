/**
 * WalSync on a real file: a sync resolves once an fdatasync that began after the call has
 * finished; calls made while one is in flight share the next one; a missing log needs no sync;
 * and a write through faxd's SQLite driver is answered only after a sync that began after it.
 */
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sql } from 'kysely'
import { openSqliteDatabase } from '../../src/storage/sql/sqlite-database.js'
import { WalSync } from '../../src/storage/sql/wal-sync.js'

describe('WalSync', () => {
  let folder: string

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'faxd-wal-sync-'))
  })
  after(async () => {
    await rm(folder, { recursive: true, force: true })
  })

  it('one sync alone runs one fdatasync', async () => {
    const database = join(folder, 'alone.sqlite')
    await writeFile(`${database}-wal`, 'frames')
    const wal = new WalSync(database)
    await wal.sync()
    assert.equal(wal.completed, 1)
    await wal.sync()
    assert.equal(wal.completed, 2)
    await wal.close()
  })

  it('calls made while one is in flight wait for the next one, and share it', async () => {
    const database = join(folder, 'shared.sqlite')
    await writeFile(`${database}-wal`, 'frames')
    const wal = new WalSync(database)
    const first = wal.sync()
    const waiting = [wal.sync(), wal.sync(), wal.sync()]
    await first
    assert.equal(wal.completed, 1, 'the first is done, the others still wait')
    await Promise.all(waiting)
    assert.equal(wal.completed, 2, 'the three that came during the first shared the second')
    await wal.close()
  })

  it('needs no sync when there is no log yet', async () => {
    const wal = new WalSync(join(folder, 'none.sqlite'))
    await wal.sync()
    assert.equal(wal.completed, 0)
    await appendFile(join(folder, 'none.sqlite-wal'), 'frames')
    await wal.sync()
    assert.equal(wal.completed, 1, 'the log that appeared later is synced')
    await wal.close()
  })
})

describe('the SQLite driver', () => {
  it('answers writes in autocommit and commits, and reads see them', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'faxd-durable-'))
    const db = openSqliteDatabase(join(folder, 'faxd.sqlite'))
    try {
      await sql`create table t (a integer)`.execute(db)
      await sql`insert into t values (1)`.execute(db)
      await db.transaction().execute(async (trx) => {
        await sql`insert into t values (2)`.execute(trx)
        const inside = await sql<{ n: number }>`select count(*) as n from t`.execute(trx)
        assert.equal(inside.rows[0]?.n, 2)
      })
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await sql`insert into t values (3)`.execute(trx)
          throw new Error('undone')
        }),
        /undone/,
      )
      const rows = await sql<{ a: number }>`select a from t order by a`.execute(db)
      assert.deepEqual(
        rows.rows.map((row) => row.a),
        [1, 2],
      )
    } finally {
      await db.destroy()
      await rm(folder, { recursive: true, force: true })
    }
  })
})
