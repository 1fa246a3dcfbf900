/**
 * Lists whose cost does not grow with the data (`npm run bench:lists`): faxd's app on each
 * engine, its database grown to 1,000, 100,000 and 1,000,000 fax records per account for two
 * accounts (and one outbox entry per 100 faxes, with its status change and delivery), and at
 * each size the p50 and p99 of every list route and get-by-id, 300 requests one after another
 * after 30 unmeasured: GET …/faxes (all, inbox, sent, spam, the page below a cursor), GET
 * …/outbox (a page of 50), GET …/outbox/{id}, GET …/faxes/{id}, and sendFax. At the largest size
 * it also measures GET …/outbox/{id} while eight clients list the whole outbox (pages of up to
 * 1000 entries) against GET …/outbox/{id} alone. Records share seconds (ten per second), so the
 * cursors are exercised as clients use them. Prints markdown tables and writes JSON to
 * .bench/list-scale.json; BENCH_SCALE_SIZES (comma-separated) and BENCH_SCALE_REQUESTS change
 * the sizes and the requests per route. See docs/benchmarks.md.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { type Insertable, type Kysely, sql } from 'kysely'
import type { Database } from '../src/storage/sql/schema.js'
import { insertRows } from '../src/storage/sql/insert-rows.js'
import { addNumber } from '../src/use-cases/add-number.js'
import { createAccount } from '../src/use-cases/create-account.js'
import { createPersonalToken } from '../src/use-cases/create-personal-token.js'
import {
  type Engine,
  type FaxdServer,
  SENDER_NUMBER,
  describeMachine,
  freshDatabase,
  startFaxdOn,
} from './bench-servers.js'
import { startListingClients } from './listing-clients.js'

const SIZES = (process.env['BENCH_SCALE_SIZES'] ?? '1000,100000,1000000').split(',').map(Number)
const REQUESTS = Number(process.env['BENCH_SCALE_REQUESTS'] ?? 300)
const WARMUP_REQUESTS = 30
const LISTING_CLIENTS = 8
const FAXES_PER_OUTBOX_ENTRY = 100
/** Rows per seeding transaction. */
const SEED_BATCH = 10_000
const ENGINES: readonly Engine[] = ['sqlite', 'postgres']
const OUTPUT = '.bench/list-scale.json'
/** The seeded records start here, ten to a second. */
const SEED_START_MS = Date.UTC(2020, 0, 1)

interface RouteFigures {
  readonly route: string
  readonly p50Ms: number
  readonly p99Ms: number
}

interface SizeFigures {
  readonly engine: Engine
  readonly faxesPerAccount: number
  readonly routes: readonly RouteFigures[]
}

interface Accounts {
  sender: string
  other: string
}

function hexId(bytes: number): string {
  return randomBytes(bytes).toString('hex')
}

/** Fax records `from`…`to` (exclusive) of one account, ten to a second. */
function faxRows(ownerUid: string, from: number, to: number): Insertable<Database['faxes']>[] {
  const rows: Insertable<Database['faxes']>[] = []
  for (let i = from; i < to; i += 1) {
    const atMs = SEED_START_MS + Math.floor(i / 10) * 1000
    rows.push({
      id: hexId(12),
      owner_uid: ownerUid,
      direction: i % 3 === 0 ? 'incoming' : 'outgoing',
      from_number: SENDER_NUMBER,
      to_number: '+15551234567',
      status: 'success',
      pages: 2,
      duration_seconds: 70,
      comment: '',
      is_read: 0,
      is_spam: 0,
      started_at: atMs,
      submitted_at: atMs,
      updated_at: atMs + 70_000,
      max_retry: 0,
      retry_delay_seconds: 0,
      document_key: null,
    })
  }
  return rows
}

/** Grows one account's records from `have` to `want`, with an outbox entry per 100 faxes. */
async function grow(db: Kysely<Database>, uid: string, have: number, want: number): Promise<void> {
  for (let start = have; start < want; start += SEED_BATCH) {
    const end = Math.min(want, start + SEED_BATCH)
    await db.transaction().execute(async (trx) => {
      await insertRows(trx, 'faxes', faxRows(uid, start, end))
      const entries: Insertable<Database['outbox_entries']>[] = []
      const changes: Insertable<Database['outbox_status_changes']>[] = []
      const deliveries: Insertable<Database['deliveries']>[] = []
      for (let i = start; i < end; i += FAXES_PER_OUTBOX_ENTRY) {
        const id = hexId(16)
        const atMs = SEED_START_MS + Math.floor(i / 10) * 1000
        entries.push({
          id,
          uid,
          status: 'scheduled_for_sending',
          from_text: SENDER_NUMBER,
          to_numbers: '["+15551234567"]',
          files: '[]',
          from_fax_id: null,
          from_fax_owner_uid: null,
          comment_text: '',
          comment_tags: '[]',
          enhancement: 1,
          retry_count: 0,
          retry_delay_seconds: 0,
          partially_sent_retry: 0,
          resolution: 'fine',
          cover_page: null,
          send_at: atMs,
          submitted_at: atMs,
          page_count: 1,
          client_ip: '127.0.0.1',
          document_key: null,
        })
        changes.push({ outbox_id: id, position: 0, status: 'submitted', changed_at: atMs })
        deliveries.push({
          id: hexId(12),
          outbox_id: id,
          position: 0,
          destination: '+15551234567',
          from_number: SENDER_NUMBER,
        })
      }
      await insertRows(trx, 'outbox_entries', entries)
      await insertRows(trx, 'outbox_status_changes', changes)
      await insertRows(trx, 'deliveries', deliveries)
    })
  }
}

async function timed(send: () => Promise<Response>, count: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < count; i += 1) {
    const started = performance.now()
    const response = await send()
    await response.arrayBuffer()
    const ms = performance.now() - started
    if (!response.ok) {
      throw new Error(`${response.status} from ${response.url}`)
    }
    times.push(ms)
  }
  return times
}

function percentile(times: readonly number[], p: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0
}

async function measureRoute(route: string, send: () => Promise<Response>): Promise<RouteFigures> {
  await timed(send, WARMUP_REQUESTS)
  const times = await timed(send, REQUESTS)
  return { route, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) }
}

async function measureSize(
  server: FaxdServer,
  engine: Engine,
  faxesPerAccount: number,
  contention: boolean,
): Promise<SizeFigures> {
  const headers = { authorization: `Bearer ${server.token}` }
  const get = (path: string) => () => fetch(`${server.origin}${path}`, { headers })
  const firstPage = await fetch(`${server.origin}/v3/accounts/self/faxes`, { headers })
  const link = firstPage.headers.get('link') ?? ''
  const { records } = ((await firstPage.json()) as { data: { records: { id: string }[] } }).data
  const next = /<([^>]+)>;\s*rel="next"/.exec(link)?.[1]
  if (next === undefined || records[0] === undefined) {
    throw new Error(`no second page of faxes at ${faxesPerAccount}: ${link}`)
  }
  const nextPath = new URL(next, server.origin).pathname + new URL(next, server.origin).search
  const body = JSON.stringify({
    from: SENDER_NUMBER,
    to: ['+15557654321'],
    files: [server.filePath],
  })
  const routes: RouteFigures[] = []
  const cases: readonly [string, () => Promise<Response>][] = [
    ['GET faxes', get('/v3/accounts/self/faxes')],
    ['GET faxes, inbox', get('/v3/accounts/self/faxes?category=inbox')],
    ['GET faxes, sent', get('/v3/accounts/self/faxes?category=sent')],
    ['GET faxes, spam (empty)', get('/v3/accounts/self/faxes?category=spam')],
    ['GET faxes, next page', get(nextPath)],
    ['GET outbox, limit 50', get('/v3/accounts/self/outbox?limit=50')],
    ['GET outbox/{id}', get(`/v3/accounts/self/outbox/${server.outboxEntryId}`)],
    ['GET faxes/{id}', get(`/v3/accounts/self/faxes/${records[0].id}`)],
    [
      'sendFax',
      () =>
        fetch(`${server.origin}/v3/accounts/self/outbox`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body,
        }),
    ],
  ]
  for (const [route, send] of cases) {
    routes.push(await measureRoute(route, send))
  }
  if (contention) {
    const listers = await startListingClients({
      url: `${server.origin}/v3/accounts/self/outbox`,
      token: server.token,
      clients: LISTING_CLIENTS,
    })
    try {
      routes.push(
        await measureRoute(
          `GET outbox/{id} while ${LISTING_CLIENTS} clients list the outbox`,
          get(`/v3/accounts/self/outbox/${server.outboxEntryId}`),
        ),
      )
    } finally {
      const lists = await listers.stop()
      console.log(`  ${engine}: the listing clients read ${lists} pages of the outbox meanwhile`)
    }
  }
  return { engine, faxesPerAccount, routes }
}

async function runEngine(engine: Engine): Promise<SizeFigures[]> {
  const setup = await freshDatabase(engine)
  const accounts: Accounts = { sender: '', other: '' }
  const server = await startFaxdOn(setup, engine, async (services) => {
    const make = async (name: string) =>
      createAccount(services, {
        email: `${name}.${Date.now()}@example.test`,
        type: 'individual',
        adminUid: null,
        password: null,
      })
    const sender = await make('sender')
    const other = await make('other')
    accounts.sender = sender.uid
    accounts.other = other.uid
    await addNumber(services, { number: SENDER_NUMBER, ownerUid: sender.uid, assignTo: [] })
    const { token } = await createPersonalToken(services, {
      uid: sender.uid,
      scopes: null,
      expiresInDays: null,
    })
    return token
  })
  const db = setup.database
  const figures: SizeFigures[] = []
  try {
    let have = 0
    for (const [index, size] of SIZES.entries()) {
      const started = performance.now()
      await grow(db, accounts.sender, have, size)
      await grow(db, accounts.other, have, size)
      have = size
      if (engine === 'postgres') {
        await sql`analyze`.execute(db)
      }
      console.log(
        `  ${engine}: ${size.toLocaleString('en')} faxes per account, seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      )
      figures.push(await measureSize(server, engine, size, index === SIZES.length - 1))
    }
  } finally {
    await server.close()
  }
  return figures
}

function table(figures: readonly SizeFigures[]): string {
  const first = figures[0]
  const last = figures[figures.length - 1]
  if (first === undefined || last === undefined) {
    return ''
  }
  const header = [
    '| route | ' +
      figures.map((f) => `p50 / p99 ms at ${f.faxesPerAccount.toLocaleString('en')}`).join(' | ') +
      ' | p99 largest ÷ smallest |',
    `| --- | ${figures.map(() => '---:').join(' | ')} | ---: |`,
  ]
  const rows = last.routes.map((route) => {
    const cells = figures.map((f) => {
      const r = f.routes.find((x) => x.route === route.route)
      return r === undefined ? '–' : `${r.p50Ms.toFixed(2)} / ${r.p99Ms.toFixed(2)}`
    })
    const small = first.routes.find((x) => x.route === route.route)
    const ratio = small === undefined ? '–' : (route.p99Ms / small.p99Ms).toFixed(2)
    return `| ${route.route} | ${cells.join(' | ')} | ${ratio} |`
  })
  const alone = last.routes.find((r) => r.route === 'GET outbox/{id}')
  const busy = last.routes.find((r) => r.route.startsWith('GET outbox/{id} while'))
  const contention =
    alone !== undefined && busy !== undefined
      ? `\nGET outbox/{id} p99 while ${LISTING_CLIENTS} clients list the outbox ÷ alone, at ${last.faxesPerAccount.toLocaleString('en')}: ${(busy.p99Ms / alone.p99Ms).toFixed(2)}`
      : ''
  return [...header, ...rows].join('\n') + contention
}

async function main(): Promise<void> {
  const machine = await describeMachine()
  console.log(
    `list scale benchmark, ${new Date().toISOString()}; ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAverageAtStart.toFixed(2)}`,
  )
  const all: SizeFigures[] = []
  for (const engine of ENGINES) {
    const figures = await runEngine(engine)
    all.push(...figures)
    console.log(`\n${engine}\n\n${table(figures)}\n`)
  }
  await mkdir('.bench', { recursive: true })
  await writeFile(
    OUTPUT,
    `${JSON.stringify({ date: new Date().toISOString(), machine, requests: REQUESTS, figures: all }, null, 2)}\n`,
  )
  console.log(`written to ${OUTPUT}`)
}

await main()
