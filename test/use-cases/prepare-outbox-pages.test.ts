/**
 * The render step of an outbox entry, through the API and the real renderer (child processes,
 * PDFium, LibreOffice), on SQLite and PostgreSQL: the entry is `converting` while it runs, then
 * `scheduled_for_sending` with its page count and one TIFF-F; a document that cannot be rendered
 * ends the fax with a fax record per destination, under the ids `return_ids` gave.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { readTiff } from '../../src/codec/tiff-read.js'
import type { PageRenderer } from '../../src/domain/page-renderer.js'
import { prepareOutboxPages } from '../../src/use-cases/prepare-outbox-pages.js'
import type { RenderServices } from '../../src/use-cases/prepare-outbox-pages.js'
import { documentPath, hostilePath } from '../support/fixtures.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { ENGINES } from '../support/test-database.js'

const FROM = '+15555550150'

interface OutboxJson {
  status: string
  page_count: number
  status_changes: { status: string }[]
}

/** Each test's limit: many times the under 3 s each takes on an idle machine. */
const PER_TEST = { timeout: 120_000 }

for (const engine of ENGINES) {
  describe(`preparing an outbox entry's pages (${engine})`, () => {
    let t: TestApp
    let user: TestUser
    let services: RenderServices

    before(async () => {
      t = await openTestApp(engine)
      user = await t.user({ numbers: [FROM] })
      services = t.services
    })
    after(async () => t.close())

    async function send(files: string[], extra: Record<string, unknown> = {}) {
      const paths: string[] = []
      for (const file of files) {
        paths.push(await t.upload(user, await readFile(file), file.split('/').at(-1)))
      }
      const response = await t.request('POST', '/v3/accounts/self/outbox', {
        token: user.token,
        body: {
          from: FROM,
          to: ['+15555550100', '+15555550101'],
          files: paths,
          return_ids: true,
          ...extra,
        },
      })
      assert.equal(response.statusCode, 201, response.body)
      const ids = response.json<{ ids: Record<string, string> }>().ids
      return { outboxId: await entryOf(ids), ids }
    }

    /** The outbox entry that holds these delivery ids. */
    async function entryOf(ids: Record<string, string>): Promise<string> {
      const listed = await t.request('GET', '/v3/accounts/self/outbox', { token: user.token })
      const wanted = Object.values(ids)[0]
      for (const { id } of listed.json<{ records: { id: string }[] }>().records) {
        const deliveries = await services.store.outbox.listDeliveries(id)
        if (deliveries.some((delivery) => delivery.id === wanted)) {
          return id
        }
      }
      assert.fail('no outbox entry holds these ids')
    }

    const outbox = async (id: string) =>
      t.request('GET', `/v3/accounts/self/outbox/${id}`, { token: user.token })

    it(
      'renders cover, PDF and text into one TIFF-F and schedules the entry',
      PER_TEST,
      async () => {
        const { outboxId } = await send(
          [documentPath('text-letter.pdf'), documentPath('long-lines.txt')],
          {
            cover_page: {
              name_to: 'Ada',
              name_from: 'Bob',
              subject: 'Two documents',
              flags: ['urgent'],
            },
          },
        )
        const result = await prepareOutboxPages(services, outboxId)
        assert.deepEqual(result, { outcome: 'ready', pages: 1 + 2 + 6 })
        const entry = (await outbox(outboxId)).json<OutboxJson>()
        assert.equal(entry.status, 'scheduled_for_sending')
        assert.equal(entry.page_count, 9)
        assert.deepEqual(
          entry.status_changes.map((change) => change.status),
          ['submitted', 'converting', 'scheduled_for_sending'],
        )
        const stored = await services.store.outbox.get(outboxId)
        assert.ok(stored?.documentKey)
        const pages = readTiff(new Uint8Array(await readFile(join(t.filesDir, stored.documentKey))))
        assert.equal(pages.length, 9)
        assert.ok(pages.every((page) => page.width === 1728 && page.compression === 'mmr'))
      },
    )

    it('shows the entry as converting while its pages are made', PER_TEST, async () => {
      const { outboxId } = await send([documentPath('a4.pdf')])
      // The entry is looked at as the render starts and as it ends, its pages made but not yet
      // recorded: at those moments, not by polling a long render in the hope of catching one.
      const status = async () => (await outbox(outboxId)).json<OutboxJson>().status
      const seen: string[] = []
      const watched: RenderServices = {
        ...services,
        pages: {
          async render(...args: Parameters<PageRenderer['render']>) {
            seen.push(await status())
            const outcome = await services.pages.render(...args)
            seen.push(await status())
            return outcome
          },
          async preview(...args: Parameters<PageRenderer['preview']>) {
            return services.pages.preview(...args)
          },
          async previewDraft(...args: Parameters<PageRenderer['previewDraft']>) {
            return services.pages.previewDraft(...args)
          },
          async close() {
            return services.pages.close()
          },
        },
      }
      assert.deepEqual(await prepareOutboxPages(watched, outboxId), { outcome: 'ready', pages: 1 })
      assert.deepEqual(seen, ['converting', 'converting'])
      assert.equal(await status(), 'scheduled_for_sending')
    })

    it(
      'ends the fax with the Fax.Plus status for each destination when the PDF is locked',
      PER_TEST,
      async () => {
        const { outboxId, ids } = await send([documentPath('a4.pdf'), hostilePath('encrypted.pdf')])
        const result = await prepareOutboxPages(services, outboxId)
        assert.equal(result.outcome, 'failed')
        assert.equal((await outbox(outboxId)).statusCode, 404)
        for (const [destination, id] of Object.entries(ids)) {
          const fax = await t.request('GET', `/v3/accounts/self/faxes/${id}`, { token: user.token })
          assert.equal(fax.statusCode, 200, fax.body)
          const record = fax.json<{
            status: string
            description: string
            to: string
            direction: string
          }>()
          assert.equal(record.status, 'failed_unknown_converter_issue')
          assert.equal(
            record.description,
            'the PDF is password-protected; send it without a password',
          )
          assert.equal(record.to, destination)
          assert.equal(record.direction, 'outgoing')
        }
      },
    )

    it(
      'ends the fax with failed_office_converter_issue when LibreOffice cannot read it',
      PER_TEST,
      async () => {
        // Sniffed as a Word document ([Content_Types].xml in a ZIP), but no real archive follows.
        const damaged = new Uint8Array([
          ...[0x50, 0x4b, 3, 4],
          ...new Uint8Array(26),
          ...new TextEncoder().encode('[Content_Types].xml'),
          ...new Uint8Array(1000).fill(0x37),
        ])
        const path = await t.upload(user, damaged, 'contract.docx')
        const response = await t.request('POST', '/v3/accounts/self/outbox', {
          token: user.token,
          body: { from: FROM, to: ['+15555550100'], files: [path], return_ids: true },
        })
        const ids = response.json<{ ids: Record<string, string> }>().ids
        const result = await prepareOutboxPages(services, await entryOf(ids))
        assert.equal(result.outcome, 'failed')
        const fax = await t.request('GET', `/v3/accounts/self/faxes/${ids['+15555550100']}`, {
          token: user.token,
        })
        const record = fax.json<{ status: string; description: string }>()
        assert.equal(record.status, 'failed_office_converter_issue')
        assert.match(record.description, /LibreOffice could not convert the document/)
      },
    )

    it('leaves a cancelled entry alone', PER_TEST, async () => {
      const { outboxId } = await send([documentPath('a4.pdf')])
      const cancel = await t.request('DELETE', `/v3/accounts/self/outbox/${outboxId}`, {
        token: user.token,
      })
      assert.equal(cancel.statusCode, 200)
      assert.deepEqual(await prepareOutboxPages(services, outboxId), { outcome: 'gone' })
    })

    it('renders again after a crash mid-way (an entry found converting)', PER_TEST, async () => {
      const { outboxId } = await send([documentPath('a4.pdf')])
      const first = await services.store.outbox.beginConverting(outboxId, t.clock.now())
      assert.equal(first?.status, 'converting')
      assert.deepEqual(await prepareOutboxPages(services, outboxId), { outcome: 'ready', pages: 1 })
      const entry = (await outbox(outboxId)).json<OutboxJson>()
      assert.deepEqual(
        entry.status_changes.map((change) => change.status),
        ['submitted', 'converting', 'scheduled_for_sending'],
      )
    })
  })
}
