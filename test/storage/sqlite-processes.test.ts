/**
 * SQLite shared by several processes (`faxd serve` and `faxd worker` on one data folder): three
 * processes each run 200 transactions that read a counter and then write it, at once. Every
 * transaction succeeds (none fails with "database is locked" because another process committed
 * between its read and its write) and no increment is lost: the counter ends at 600.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import SQLite from 'better-sqlite3'
import { siblingScript } from '../support/sibling-script.js'

const run = promisify(execFile)
const PROCESS = siblingScript(import.meta.url, 'sqlite-counter-process')
const PROCESSES = 3
const TIMES = 200

/** The test's limit: several times the 4 s it takes on an idle machine. */
const PER_TEST = { timeout: 60_000 }

describe('SQLite shared by several processes', () => {
  it(
    'runs read-then-write transactions from three processes without a failure or a lost write',
    PER_TEST,
    async () => {
      const folder = await mkdtemp(join(tmpdir(), 'faxd-sqlite-processes-'))
      try {
        const file = join(folder, 'faxd.sqlite')
        const setup = new SQLite(file)
        setup.pragma('journal_mode = WAL')
        setup.exec('create table counter (value integer not null); insert into counter values (0)')
        setup.close()
        const outputs = await Promise.all(
          Array.from({ length: PROCESSES }, async () =>
            run(process.execPath, [...PROCESS.execArgv, PROCESS.path, file, String(TIMES)]),
          ),
        )
        const results = outputs.map(
          ({ stdout }) => JSON.parse(stdout) as { done: number; failed: string[] },
        )
        assert.deepEqual(
          results.flatMap((result) => result.failed),
          [],
        )
        assert.deepEqual(
          results.map((result) => result.done),
          [TIMES, TIMES, TIMES],
        )
        const check = new SQLite(file, { readonly: true })
        const { value } = check.prepare('select value from counter').get() as { value: number }
        check.close()
        assert.equal(value, PROCESSES * TIMES)
      } finally {
        await rm(folder, { recursive: true, force: true })
      }
    },
  )
})
