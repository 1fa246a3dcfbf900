/**
 * Migration 0010 on both engines: attempts recorded before it get an ECM flag where T.30 says
 * what it was (MMR is sent only with ECM) and keep it unknown (null) otherwise, as they keep
 * their resolution; attempts recorded after it keep both, and read back as they were written.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { migrateToLatest } from '../../src/storage/sql/migrate.js'
import { attemptFromRow, attemptToRow } from '../../src/storage/sql/transmission-rows.js'
import { withEmptyDatabase } from '../support/empty-database.js'

/** A fax_attempts row as migration 0005 made the table. */
function oldAttempt(faxId: string, coding: string | null) {
  return {
    fax_id: faxId,
    attempt: 1,
    carrier: 'simulated',
    started_at: 1_000,
    ended_at: 2_000,
    status: coding === null ? 'failed_user_busy' : 'success',
    pages_confirmed: coding === null ? '[]' : '[1]',
    description: coding === null ? 'the line was busy' : 'OK',
    remote_station_id: coding === null ? null : 'FAXD SIMULATED 0100',
    bit_rate: coding === null ? null : 14400,
    coding,
  }
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`migration 0010-call-negotiated (${engine})`, () => {
    it('gives the attempts before it ECM where their coding says, and null elsewhere', async () => {
      await withEmptyDatabase(engine, async (db) => {
        await migrateToLatest(db, engine, '0009-job-delivery')
        await db
          .insertInto('fax_attempts')
          .values([
            oldAttempt('fax-mmr', 'mmr'),
            oldAttempt('fax-mh', 'mh'),
            oldAttempt('busy', null),
          ])
          .execute()
        await migrateToLatest(db, engine)
        const rows = await db.selectFrom('fax_attempts').selectAll().orderBy('fax_id').execute()
        assert.deepEqual(
          rows.map((row) => [row.fax_id, row.coding, row.ecm, row.resolution]),
          [
            ['busy', null, null, null],
            ['fax-mh', 'mh', null, null],
            ['fax-mmr', 'mmr', 1, null],
          ],
        )
        assert.deepEqual(
          rows
            .map(attemptFromRow)
            .map((attempt) => [attempt.faxId, attempt.ecm, attempt.resolution]),
          [
            ['busy', null, null],
            ['fax-mh', null, null],
            ['fax-mmr', true, null],
          ],
        )
        // Deliveries have a column for what their call in progress negotiated (or this throws).
        const deliveries = await db.selectFrom('deliveries').select('call_negotiated').execute()
        assert.deepEqual(deliveries, [])
      })
    })

    it('keeps ECM and the resolution of the attempts after it', async () => {
      await withEmptyDatabase(engine, async (db) => {
        await migrateToLatest(db, engine)
        const attempt = {
          ...attemptFromRow({
            ...oldAttempt('fax-mr', 'mr'),
            ecm: null,
            resolution: null,
            header: null,
          }),
          bitRate: 9600,
          ecm: false,
          resolution: 'standard' as const,
        }
        await db.insertInto('fax_attempts').values(attemptToRow(attempt)).execute()
        const [row] = await db.selectFrom('fax_attempts').selectAll().execute()
        assert.ok(row)
        assert.deepEqual([row.ecm, row.resolution], [0, 'standard'])
        assert.deepEqual(attemptFromRow(row), attempt)
      })
    })
  })
}
