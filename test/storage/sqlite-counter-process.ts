/**
 * A process for sqlite-processes.test.ts: opens the SQLite file as faxd does and runs TIMES
 * transactions through GroupCommit that each read a counter and then write it back plus one,
 * one at a time. Prints {"done": n, "failed": [messages]} on stdout.
 * Usage: node --import tsx sqlite-counter-process.ts FILE TIMES
 */
import { setImmediate as nextTurn } from 'node:timers/promises'
import { sql } from 'kysely'
import { openSqliteDatabase } from '../../src/storage/sql/sqlite-database.js'
import { GroupCommit } from '../../src/storage/sql/transaction-runner.js'

const [file = '', timesText = '0'] = process.argv.slice(2)
const db = openSqliteDatabase(file)
const transactions = new GroupCommit(db)
const failed: string[] = []
let done = 0
for (let n = 0; n < Number(timesText); n++) {
  try {
    await transactions.run(async (trx) => {
      const read = await sql<{ value: number }>`select value from counter`.execute(trx)
      await nextTurn() // the other processes run meanwhile
      const value = read.rows[0]?.value ?? 0
      await sql`update counter set value = ${value + 1}`.execute(trx)
    })
    done++
  } catch (error) {
    failed.push(error instanceof Error ? error.message : String(error))
  }
}
await db.destroy()
process.stdout.write(JSON.stringify({ done, failed }))
