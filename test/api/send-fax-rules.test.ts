/**
 * sendFax, rule by rule: one test per rule of ../shared/design.md "Rules of sendFax" and per
 * constraint of the seed's schemas (patterns, bounds, enums, required, additionalProperties).
 * Every refusal is checked for its exact status and code, for an error body of exactly
 * {error, description}, and for having written nothing (every table and file compared).
 * The whole file runs on both engines.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { addNumber } from '../../src/use-cases/add-number.js'
import { aFaxRecord } from '../support/sample-records.js'
import { ENGINES } from '../support/test-database.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const FROM = '+15555550150'
const SECOND_FROM = '+15555550151'

for (const engine of ENGINES) {
  describe(`${engine}: sendFax rules`, () => {
    let t: TestApp
    let sender: TestUser
    let stranger: TestUser
    let admin: TestUser
    let member: TestUser
    let lonelyMember: TestUser
    let file: string
    let strangersFile: string

    before(async () => {
      t = await openTestApp(engine)
      sender = await t.user({ numbers: [FROM, SECOND_FROM] })
      stranger = await t.user({ numbers: ['+15555550160'] })
      admin = await t.user({ type: 'corporate_admin' })
      member = await t.user({ adminUid: admin.account.uid })
      lonelyMember = await t.user({ adminUid: admin.account.uid })
      await addNumber(t.services, {
        number: '+15555550170',
        ownerUid: admin.account.uid,
        assignTo: [member.account.uid],
      })
      file = await upload(sender)
      strangersFile = await upload(stranger)
    })
    after(async () => t.close())

    async function upload(user: TestUser, bytes = 1000): Promise<string> {
      return t.upload(user, Buffer.alloc(bytes, 0x25))
    }

    function valid(overrides: Record<string, unknown> = {}): Record<string, unknown> {
      return { from: FROM, to: ['+15555550100'], files: [file], ...overrides }
    }

    async function send(
      body: unknown,
      user: TestUser = sender,
      userId = 'self',
      headers: Record<string, string> = {},
    ) {
      return t.request('POST', `/v3/accounts/${userId}/outbox`, {
        token: user.token,
        body,
        headers,
      })
    }

    /** Sends, expects the refusal, and checks that nothing at all was written. */
    async function refused(
      body: unknown,
      status: number,
      code: string,
      user?: TestUser,
      userId?: string,
    ) {
      const beforeSnapshot = await t.snapshot()
      const response = await send(body, user, userId)
      assert.equal(response.statusCode, status, response.body)
      const answer = response.json<Record<string, unknown>>()
      assert.deepEqual(Object.keys(answer).sort(), ['description', 'error'])
      assert.equal(answer['error'], code)
      assert.equal(typeof answer['description'], 'string')
      assert.notEqual(answer['description'], '')
      assert.equal(await t.snapshot(), beforeSnapshot, 'a refused request changed the store')
    }

    async function accepted(body: unknown, user: TestUser = sender, userId = 'self') {
      const response = await send(body, user, userId)
      assert.equal(response.statusCode, 201, response.body)
      return response.json<{ ids?: Record<string, string> }>()
    }

    async function rowsFor(ids: Record<string, string>) {
      const db = t.testStore.database()
      const deliveries = await db
        .selectFrom('deliveries')
        .selectAll()
        .where('id', 'in', Object.values(ids))
        .execute()
      const outboxId = deliveries[0]?.outbox_id
      assert.ok(outboxId)
      const entry = await t.services.store.outbox.get(outboxId)
      assert.ok(entry)
      const jobs = await db
        .selectFrom('jobs')
        .selectAll()
        .where('outbox_id', '=', outboxId)
        .execute()
      return { entry, deliveries, jobs }
    }

    describe('who sends', () => {
      it('accepts self and answers 201 with an empty object', async () => {
        assert.deepEqual(await accepted(valid()), {})
      })
      it('lets a corporate admin send for its member', async () => {
        const body = valid({
          from: '+15555550170',
          files: [await upload(member)],
          return_ids: true,
        })
        const answer = await accepted(body, admin, member.account.uid)
        const { entry } = await rowsFor(answer.ids ?? {})
        assert.equal(entry.uid, member.account.uid)
      })
      it("refuses another account's id with invalid_user_id", async () => {
        await refused(valid(), 400, 'invalid_user_id', sender, stranger.account.uid)
      })
      it('refuses an id that does not exist with the same invalid_user_id', async () => {
        await refused(valid(), 400, 'invalid_user_id', sender, 'ffffffffffffffffffffffffffffffff')
      })
      it('refuses a member acting for its admin', async () => {
        await refused(
          valid({ from: '+15555550170' }),
          400,
          'invalid_user_id',
          member,
          admin.account.uid,
        )
      })
      it('refuses a token without fax:fax:edit or fax:all:edit with 403', async () => {
        const readOnly = await t.token(sender.account.uid, {
          scopes: ['fax:fax:read', 'fax:all:read'],
        })
        const beforeSnapshot = await t.snapshot()
        const response = await t.request('POST', '/v3/accounts/self/outbox', {
          token: readOnly,
          body: valid(),
        })
        assert.equal(response.statusCode, 403)
        assert.equal(response.json<{ error: string }>().error, 'insufficient_scope')
        assert.equal(await t.snapshot(), beforeSnapshot)
      })
      it('accepts a token with only fax:fax:edit', async () => {
        const faxEdit = await t.token(sender.account.uid, { scopes: ['fax:fax:edit'] })
        const response = await t.request('POST', '/v3/accounts/self/outbox', {
          token: faxEdit,
          body: valid(),
        })
        assert.equal(response.statusCode, 201)
      })
    })

    describe('from', () => {
      it('must be present', async () => {
        const { from: _from, ...body } = valid()
        await refused(body, 400, 'missing_field')
      })
      it('must be a string', async () => {
        await refused(valid({ from: 15555550150 }), 400, 'invalid_from')
      })
      for (const bad of [
        '15555550150',
        '+1555555',
        '+15555550150,',
        'no-number',
        '+15555550150 ',
        '+15555550150*',
        '+1555555015a',
      ]) {
        it(`must match the seed pattern: refuses ${JSON.stringify(bad)}`, async () => {
          await refused(valid({ from: bad }), 400, 'invalid_from')
        })
      }
      it('is refused past 4096 characters before the pattern runs', async () => {
        await refused(valid({ from: `+${'1'.repeat(5000)}` }), 400, 'invalid_from')
      })
      it('must be a number the sender owns or is assigned', async () => {
        await refused(valid({ from: '+15555550160' }), 400, 'invalid_from_number')
      })
      it('refuses a number that exists nowhere the same way', async () => {
        await refused(valid({ from: '+19999999999' }), 400, 'invalid_from_number')
      })
      it('refuses a list when any one number is not the sender’s', async () => {
        await refused(valid({ from: `${FROM},+15555550160` }), 400, 'invalid_from_number')
      })
      it('takes post-dial digits after a number and checks only the number', async () => {
        await accepted(valid({ from: `${FROM}*123` }))
      })
      it('accepts a number assigned to a member', async () => {
        await accepted(valid({ from: '+15555550170', files: [await upload(member)] }), member)
      })
      it('picks one number of a comma-separated list at random per destination', async () => {
        const to = Array.from({ length: 200 }, (_, i) => `+1555600${String(i).padStart(4, '0')}`)
        const answer = await accepted(
          valid({ from: `${FROM},${SECOND_FROM}`, to, return_ids: true }),
        )
        const { deliveries } = await rowsFor(answer.ids ?? {})
        const used = new Set(deliveries.map((d) => d.from_number))
        assert.deepEqual([...used].sort(), [FROM, SECOND_FROM])
      })
      it('accepts no_number from a corporate member without a number', async () => {
        const answer = await accepted(
          valid({ from: 'no_number', files: [await upload(lonelyMember)], return_ids: true }),
          lonelyMember,
        )
        const { deliveries } = await rowsFor(answer.ids ?? {})
        assert.equal(deliveries[0]?.from_number, null)
      })
      it('accepts NO_NUMBER the same way', async () => {
        await accepted(
          valid({ from: 'NO_NUMBER', files: [await upload(lonelyMember)] }),
          lonelyMember,
        )
      })
      it('refuses no_number from an individual', async () => {
        await refused(valid({ from: 'no_number' }), 400, 'no_number_not_allowed')
      })
      it('refuses no_number from a member who has a number', async () => {
        await refused(
          valid({ from: 'no_number', files: [], from_fax: { fax_id: 'x' } }),
          400,
          'no_number_not_allowed',
          member,
        )
      })
      it('refuses no_number mixed with numbers', async () => {
        await refused(valid({ from: `no_number,${FROM}` }), 400, 'invalid_from_number')
      })
    })

    describe('to', () => {
      it('must be present', async () => {
        const { to: _to, ...body } = valid()
        await refused(body, 400, 'missing_field')
      })
      it('must be an array', async () => {
        await refused(valid({ to: '+15555550100' }), 400, 'invalid_to')
      })
      it('needs at least one item', async () => {
        await refused(valid({ to: [] }), 400, 'invalid_to')
      })
      it('takes strings only', async () => {
        await refused(valid({ to: [15555550100] }), 400, 'invalid_to')
      })
      for (const bad of [
        '15555550100',
        '+1555555',
        '+15555550100*',
        `+15555550100${'*'.repeat(11)}1`,
        '+1 555 555 0100',
        '',
      ]) {
        it(`must match ^[+][0-9]{8,}([*]{0,10}[0-9]+)?$: refuses ${JSON.stringify(bad)}`, async () => {
          await refused(valid({ to: [bad] }), 400, 'invalid_to')
        })
      }
      it('keeps post-dial digits after up to ten stars', async () => {
        const destination = `+15555550100${'*'.repeat(10)}42`
        const answer = await accepted(valid({ to: [destination], return_ids: true }))
        assert.deepEqual(Object.keys(answer.ids ?? {}), [destination])
      })
      it('takes 4000 destinations, with one delivery each, in one transaction', async () => {
        const to = Array.from({ length: 4000 }, (_, i) => `+1555700${String(i).padStart(4, '0')}`)
        const answer = await accepted(valid({ to, return_ids: true }))
        const { deliveries, jobs, entry } = await rowsFor(answer.ids ?? {})
        assert.equal(deliveries.length, 4000)
        assert.equal(entry.to.length, 4000)
        assert.equal(jobs.length, 1)
      })
      it('refuses 4001 destinations with too_many_destinations', async () => {
        const to = Array.from({ length: 4001 }, (_, i) => `+1555800${String(i).padStart(4, '0')}`)
        await refused(valid({ to }), 400, 'too_many_destinations')
      })
      it('refuses a destination given twice', async () => {
        await refused(valid({ to: ['+15555550100', '+15555550100'] }), 400, 'duplicate_destination')
      })
    })

    describe('files and from_fax', () => {
      it('must be an array of strings', async () => {
        await refused(valid({ files: file }), 400, 'invalid_files')
        await refused(valid({ files: [1] }), 400, 'invalid_files')
      })
      it('refuses more than ten files with too_many_files', async () => {
        await refused(
          valid({ files: Array.from({ length: 11 }, () => file) }),
          400,
          'too_many_files',
        )
      })
      it('takes ten files', async () => {
        await accepted(valid({ files: Array.from({ length: 10 }, () => file) }))
      })
      it('refuses a path that was never uploaded', async () => {
        await refused(
          valid({ files: ['/transient-00000000-0000-0000-0000-000000000000'] }),
          400,
          'file_not_found',
        )
      })
      it("refuses another user's upload", async () => {
        await refused(valid({ files: [strangersFile] }), 400, 'file_not_found')
      })
      it('needs files or from_fax', async () => {
        await refused(valid({ files: [] }), 400, 'missing_document')
        const { files: _files, ...body } = valid()
        await refused(body, 400, 'missing_document')
      })
      it('refuses more than 150 MB of files in all with 413', async () => {
        const big = [await upload(sender, 76 * 1024 * 1024), await upload(sender, 76 * 1024 * 1024)]
        await refused(valid({ files: big }), 413, 'files_too_large')
      })
      it('from_fax must be an object with a string fax_id', async () => {
        await refused(valid({ from_fax: 'abc' }), 400, 'invalid_from_fax')
        await refused(valid({ from_fax: {} }), 400, 'invalid_from_fax')
        await refused(valid({ from_fax: { fax_id: 7 } }), 400, 'invalid_from_fax')
        await refused(valid({ from_fax: { fax_id: 'a', user_id: 7 } }), 400, 'invalid_from_fax')
      })
      it('refuses a fax that does not exist', async () => {
        await refused(
          valid({ files: [], from_fax: { fax_id: 'aaaaaaaaaaaaaaaaaaaaaaaa' } }),
          400,
          'from_fax_not_found',
        )
      })
      it("refuses another account's fax", async () => {
        const fax = aFaxRecord(stranger.account.uid)
        await t.services.store.faxes.add(fax)
        await refused(valid({ files: [], from_fax: { fax_id: fax.id } }), 400, 'from_fax_not_found')
        await refused(
          valid({ files: [], from_fax: { fax_id: fax.id, user_id: stranger.account.uid } }),
          400,
          'from_fax_not_found',
        )
      })
      it('reuses an own fax after the uploaded files', async () => {
        const fax = aFaxRecord(sender.account.uid)
        await t.services.store.faxes.add(fax)
        const answer = await accepted(valid({ from_fax: { fax_id: fax.id }, return_ids: true }))
        const { entry } = await rowsFor(answer.ids ?? {})
        assert.deepEqual(entry.files, [file])
        assert.deepEqual(entry.fromFax, { faxId: fax.id, ownerUid: sender.account.uid })
      })
      it("lets an admin reuse its member's fax with user_id", async () => {
        const fax = aFaxRecord(member.account.uid)
        await t.services.store.faxes.add(fax)
        await accepted(
          valid({
            from: '+15555550170',
            files: [],
            from_fax: { fax_id: fax.id, user_id: member.account.uid },
          }),
          admin,
          member.account.uid,
        )
      })
    })

    describe('send_time', () => {
      it('must be a string of the seed pattern', async () => {
        await refused(valid({ send_time: 1764000000 }), 400, 'invalid_send_time')
        await refused(valid({ send_time: '2026-11-27T12:00:00Z' }), 400, 'invalid_send_time')
        await refused(valid({ send_time: '2026-11-27 12:00:00' }), 400, 'invalid_send_time')
      })
      it('must be a real date and time', async () => {
        await refused(valid({ send_time: '2026-02-30 12:00:00 +0000' }), 400, 'invalid_send_time')
        await refused(valid({ send_time: '2026-11-27 24:00:00 +0000' }), 400, 'invalid_send_time')
        await refused(valid({ send_time: '2026-11-27 12:00:00 +2500' }), 400, 'invalid_send_time')
      })
      it('refuses a time that is after the year 9999 in UTC', async () => {
        await refused(valid({ send_time: '9999-12-31 23:59:59 -1400' }), 400, 'invalid_send_time')
      })
      it('refuses what follows the offset, and a "|" sign the seed pattern lets through', async () => {
        await refused(
          valid({ send_time: '2026-11-27 12:00:00 +0000 tomorrow' }),
          400,
          'invalid_send_time',
        )
        await refused(valid({ send_time: '2026-11-27 12:00:00 |0000' }), 400, 'invalid_send_time')
      })
      it('in the first century is in the past too, and means now', async () => {
        const answer = await accepted(
          valid({ send_time: '0050-01-01 00:00:00 +0000', return_ids: true }),
        )
        const { entry } = await rowsFor(answer.ids ?? {})
        assert.equal(entry.sendAtMs, t.clock.now())
      })
      it('in the past means now', async () => {
        const answer = await accepted(
          valid({ send_time: '2000-01-01 01:02:03 +0000', return_ids: true }),
        )
        const { entry } = await rowsFor(answer.ids ?? {})
        assert.equal(entry.sendAtMs, t.clock.now())
        assert.equal(entry.status, 'submitted')
      })
      it('in the future schedules the entry, listed as scheduled_for_sending', async () => {
        const answer = await accepted(
          valid({ send_time: '2026-11-28 09:30:00 -0500', return_ids: true }),
        )
        const { entry } = await rowsFor(answer.ids ?? {})
        assert.equal(entry.sendAtMs, Date.UTC(2026, 10, 28, 14, 30, 0))
        const listed = await t.request('GET', `/v3/accounts/self/outbox/${entry.id}`, {
          token: sender.token,
        })
        assert.equal(listed.json<{ status: string }>().status, 'scheduled_for_sending')
        assert.equal(listed.json<{ send_time: string }>().send_time, '2026-11-28 14:30:00 +0000')
      })
    })

    describe('options, resolution, comment, cover page, return_ids', () => {
      it('defaults to fine resolution, enhancement on, no retries', async () => {
        const { entry } = await rowsFor((await accepted(valid({ return_ids: true }))).ids ?? {})
        assert.equal(entry.resolution, 'fine')
        assert.equal(entry.enhancement, true)
        assert.deepEqual(entry.retry, { count: 0, delaySeconds: 0 })
      })
      it('keeps superfine, enhancement off, retries and partially_sent_retry', async () => {
        const body = valid({
          resolution: 'superfine',
          options: {
            enhancement: false,
            retry: { count: 3, delay: 180 },
            partially_sent_retry: true,
          },
          return_ids: true,
        })
        const { entry } = await rowsFor((await accepted(body)).ids ?? {})
        assert.equal(entry.resolution, 'superfine')
        assert.equal(entry.enhancement, false)
        assert.deepEqual(entry.retry, { count: 3, delaySeconds: 180 })
        assert.equal(entry.partiallySentRetry, true)
      })
      it('resolution must be fine or superfine', async () => {
        await refused(valid({ resolution: 'standard' }), 400, 'invalid_resolution')
        await refused(valid({ resolution: 1 }), 400, 'invalid_resolution')
      })
      it('options must be an object with a boolean enhancement', async () => {
        await refused(valid({ options: [] }), 400, 'invalid_options')
        await refused(valid({ options: { enhancement: 'yes' } }), 400, 'invalid_options')
        await refused(valid({ options: { partially_sent_retry: 1 } }), 400, 'invalid_options')
      })
      for (const [retry, why] of [
        [{ count: 4 }, 'count above 3'],
        [{ count: -1 }, 'count below 0'],
        [{ count: 1.5 }, 'count not an integer'],
        [{ delay: 181 }, 'delay above 180'],
        [{ delay: -1 }, 'delay below 0'],
        [{ delay: '10' }, 'delay a string'],
        ['2', 'retry not an object'],
      ] as const) {
        it(`refuses retry with ${why}`, async () => {
          await refused(valid({ options: { retry } }), 400, 'invalid_options')
        })
      }
      it('refuses an unknown field in retry (additionalProperties: false)', async () => {
        await refused(
          valid({ options: { retry: { count: 1, attempts: 2 } } }),
          400,
          'unknown_field',
        )
      })
      it('refuses an unknown top-level field (additionalProperties: false)', async () => {
        await refused(valid({ fax_file: 'x' }), 400, 'unknown_field')
        await refused(valid({ payloadOutbox: {} }), 400, 'unknown_field')
      })
      it('comment must have a string text and string tags', async () => {
        await refused(valid({ comment: 'hello' }), 400, 'invalid_comment')
        await refused(valid({ comment: { text: 5 } }), 400, 'invalid_comment')
        await refused(valid({ comment: { tags: ['a', 1] } }), 400, 'invalid_comment')
      })
      it('keeps the comment', async () => {
        const { entry } = await rowsFor(
          (
            await accepted(
              valid({ comment: { text: 'Grüße', tags: ['a', 'b'] }, return_ids: true }),
            )
          ).ids ?? {},
        )
        assert.equal(entry.commentText, 'Grüße')
        assert.deepEqual(entry.commentTags, ['a', 'b'])
      })
      it('cover_page needs name_to, name_from and subject', async () => {
        await refused(
          valid({ cover_page: { name_to: 'A', name_from: 'B' } }),
          400,
          'invalid_cover_page',
        )
        await refused(valid({ cover_page: 'yes' }), 400, 'invalid_cover_page')
      })
      it('cover_page flags come from the enum', async () => {
        await refused(
          valid({ cover_page: { name_to: 'A', name_from: 'B', subject: 'C', flags: ['secret'] } }),
          400,
          'invalid_cover_page',
        )
      })
      it('cover_page fields have their types', async () => {
        await refused(
          valid({
            cover_page: { name_to: 'A', name_from: 'B', subject: 'C', include_company_logo: 'yes' },
          }),
          400,
          'invalid_cover_page',
        )
        await refused(
          valid({ cover_page: { name_to: 'A', name_from: 'B', subject: 'C', message: 5 } }),
          400,
          'invalid_cover_page',
        )
      })
      it('keeps the cover page', async () => {
        const cover = {
          name_to: 'Dr. Who',
          name_from: 'Clara',
          subject: 'Report',
          flags: ['urgent', 'confidential'],
          message: 'See attached',
          include_company_logo: true,
        }
        const { entry } = await rowsFor(
          (await accepted(valid({ cover_page: cover, return_ids: true }))).ids ?? {},
        )
        assert.deepEqual(entry.coverPage, {
          nameTo: 'Dr. Who',
          nameFrom: 'Clara',
          subject: 'Report',
          flags: ['urgent', 'confidential'],
          message: 'See attached',
          includeCompanyLogo: true,
        })
      })
      it('return_ids must be a boolean', async () => {
        await refused(valid({ return_ids: 'true' }), 400, 'invalid_return_ids')
      })
      it('return_ids answers one id per destination, the ids of the deliveries', async () => {
        const to = ['+15555550100', '+15555550101', '+15555550102']
        const answer = await accepted(valid({ to, return_ids: true }))
        assert.deepEqual(Object.keys(answer).sort(), ['ids'])
        assert.deepEqual(Object.keys(answer.ids ?? {}).sort(), to)
        for (const id of Object.values(answer.ids ?? {})) {
          assert.match(id, /^[0-9a-f]{24}$/)
        }
        const { deliveries } = await rowsFor(answer.ids ?? {})
        assert.equal(deliveries.length, 3)
      })
    })

    describe("faxd's own bounds (docs/errors.md)", () => {
      const cover = { name_to: 'A', name_from: 'B', subject: 'C' }
      for (const [name, body, code] of [
        ['a destination over 64 characters', { to: [`+1${'5'.repeat(63)}`] }, 'invalid_to'],
        ['a file path over 1024 characters', { files: [`/${'x'.repeat(1024)}`] }, 'invalid_files'],
        [
          'a send_time over 64 characters',
          { send_time: `2026-11-27 12:00:00 +0000${' '.repeat(40)}` },
          'invalid_send_time',
        ],
        [
          'more than 100 tags',
          { comment: { tags: Array.from({ length: 101 }, () => 't') } },
          'invalid_comment',
        ],
        ['a tag over 256 characters', { comment: { tags: ['t'.repeat(257)] } }, 'invalid_comment'],
        ['a comment over 64 kB', { comment: { text: 'c'.repeat(65_537) } }, 'invalid_comment'],
        [
          'a cover page name over 1024 characters',
          { cover_page: { ...cover, name_to: 'n'.repeat(1025) } },
          'invalid_cover_page',
        ],
        [
          'a cover page message over 64 kB',
          { cover_page: { ...cover, message: 'm'.repeat(65_537) } },
          'invalid_cover_page',
        ],
        [
          'a from_fax id over 64 characters',
          { files: [], from_fax: { fax_id: 'f'.repeat(65) } },
          'invalid_from_fax',
        ],
      ] as const) {
        it(`refuses ${name}`, async () => {
          await refused(valid(body), 400, code)
        })
      }
      it('takes each text at its bound', async () => {
        const body = valid({
          comment: {
            text: 'c'.repeat(65_536),
            tags: Array.from({ length: 100 }, () => 't'.repeat(256)),
          },
          cover_page: { ...cover, name_to: 'n'.repeat(1024), message: 'm'.repeat(65_536) },
        })
        await accepted(body)
      })
    })

    describe('the body itself', () => {
      it('must be JSON', async () => {
        await refused('{"from": ', 400, 'invalid_json')
      })
      it('must be an object', async () => {
        await refused([valid()], 400, 'invalid_request_body')
        await refused('null', 400, 'invalid_request_body')
      })
      it('must be sent as application/json', async () => {
        const beforeSnapshot = await t.snapshot()
        const response = await send(JSON.stringify(valid()), sender, 'self', {
          'content-type': 'text/plain',
        })
        assert.equal(response.statusCode, 415)
        assert.equal(response.json<{ error: string }>().error, 'unsupported_media_type')
        assert.equal(await t.snapshot(), beforeSnapshot)
      })
      it('refuses U+0000 in any text with invalid_character (PostgreSQL cannot store it)', async () => {
        await refused(valid({ comment: { text: 'a\u0000b' } }), 400, 'invalid_character')
        await refused(valid({ files: ['/transient-\u0000'] }), 400, 'invalid_character')
        await refused(
          '{"from": "+15555550150", "to": ["+15555550100"], "\\u0000": 1}',
          400,
          'invalid_character',
        )
      })
      it('refuses an unpaired surrogate rather than storing U+FFFD in its place', async () => {
        await refused(
          valid({ cover_page: { name_to: '\ud800', name_from: 'B', subject: 'C' } }),
          400,
          'invalid_character',
        )
        await refused(
          `{"from": "+15555550150", "to": ["+15555550100"], "comment": {"text": "\\udc00x"}}`,
          400,
          'invalid_character',
        )
      })
      it('keeps paired surrogates and an escaped backslash before u0000', async () => {
        const { entry } = await rowsFor(
          (await accepted(valid({ comment: { text: '📠 \\u0000' }, return_ids: true }))).ids ?? {},
        )
        assert.equal(entry.commentText, '📠 \\u0000')
      })
      it('accepts a body that starts with a byte order mark', async () => {
        const response = await send(`\uFEFF${JSON.stringify(valid())}`)
        assert.equal(response.statusCode, 201, response.body)
      })
      it('refuses a compressed body it would not decompress', async () => {
        const beforeSnapshot = await t.snapshot()
        const response = await send(valid(), sender, 'self', { 'content-encoding': 'gzip' })
        assert.equal(response.statusCode, 415)
        assert.equal(await t.snapshot(), beforeSnapshot)
      })
      it('refuses U+0000 in a path parameter', async () => {
        await refused(valid(), 400, 'invalid_character', sender, 'a%00b')
      })
      it('over 1 MB is refused with 413', async () => {
        await refused(valid({ comment: { text: 'x'.repeat(1_100_000) } }), 413, 'request_too_large')
      })
    })
  })
}
