/**
 * GroupCommit on a real SQLite file: transactions handed in together share one commit, a failing
 * one is rolled back alone, and a caller that hands in its next transaction as soon as the last
 * one is answered is never left waiting (it starts a new batch, it does not join the one ending).
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../src/storage/sql/schema.js'
import { openSqliteDatabase } from '../../src/storage/sql/sqlite-database.js'
import { GroupCommit } from '../../src/storage/sql/transaction-runner.js'

/** Each test's limit: each takes well under a second on an idle machine. */
const PER_TEST = { timeout: 10_000 }

describe('GroupCommit', () => {
  let folder: string
  let db: Kysely<Database>

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'faxd-group-commit-'))
    db = openSqliteDatabase(join(folder, 'faxd.sqlite'))
    await sql`create table counter (value integer not null)`.execute(db)
    await sql`insert into counter values (0)`.execute(db)
  })
  after(async () => {
    await db.destroy()
    await rm(folder, { recursive: true, force: true })
  })

  const increment = async (trx: Kysely<Database>) => {
    await sql`update counter set value = value + 1`.execute(trx)
  }
  const counter = async () =>
    (await sql<{ value: number }>`select value from counter`.execute(db)).rows[0]?.value

  it(
    'answers a caller that runs one transaction after another, awaiting each',
    PER_TEST,
    async () => {
      const transactions = new GroupCommit(db)
      const start = await counter()
      for (let n = 0; n < 50; n++) {
        await transactions.run(increment)
      }
      assert.equal(await counter(), (start ?? 0) + 50)
    },
  )

  it(
    'commits what arrives together, rolling back only the transaction that failed',
    PER_TEST,
    async () => {
      const transactions = new GroupCommit(db)
      const start = (await counter()) ?? 0
      const results = await Promise.allSettled([
        transactions.run(increment),
        transactions.run(async (trx) => {
          await increment(trx)
          throw new Error('refused')
        }),
        transactions.run(increment),
      ])
      assert.deepEqual(
        results.map((result) => result.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      )
      assert.equal(await counter(), start + 2)
    },
  )
})
