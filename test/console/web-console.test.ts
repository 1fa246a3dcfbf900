/**
 * The web console in a real browser: Debian's Chromium driven by playwright-core, against a
 * `faxd serve` child process serving the console built by `npm run build` (dist/console), on
 * SQLite, its test numbers at a twentieth of real time. Sign-in through faxd's sign-in page
 * (OAuth2 with PKCE: a wrong password, a cancel, a refresh, a sign-out) and with a token (a
 * refused one said next to the field), the sent list and its live update, a fax's attempts, pages and PDF,
 * the outbox; by keyboard alone; at a phone's width without sideways scrolling; without layout
 * shift as data arrives; and axe-core finds no accessibility violation on any view.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import axe from 'axe-core'
import { type Browser, chromium, type Page } from 'playwright-core'
import { documentPath, hostilePath, readDocument } from '../support/fixtures.js'
import { type FaxdProcess, serve } from '../support/faxd-process.js'
import { multipartBody } from '../support/multipart.js'
import { aSenderWithToken } from '../support/operator-setup.js'
import { pollUntil } from '../support/poll-until.js'
import { PROJECT_ROOT } from '../support/project-root.js'

/** What the layout-shift check uses of the page's globals (the test's types have no DOM). */
interface LayoutShiftWatch {
  shifts: number[]
  location: { hash: string }
  PerformanceObserver: new (callback: (list: { getEntries(): { value: number }[] }) => void) => {
    observe(options: { type: string; buffered: boolean }): void
  }
}

/** The tab's sessionStorage, where the console keeps its credentials. */
interface TabStorage {
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void }
}

/**
 * Where screenshots of the main screens go when FAXD_CONSOLE_SCREENSHOTS names a folder (the
 * ones under docs/console/ were made so: `FAXD_CONSOLE_SCREENSHOTS=docs/console node --import
 * tsx --test test/console/web-console.test.ts`); otherwise none are taken.
 */
const SCREENSHOTS = process.env['FAXD_CONSOLE_SCREENSHOTS'] ?? ''

/** What the browser reports of a layout shift: how much moved, and which elements. */
interface LayoutShiftEntry {
  value: number
  sources: { node: { nodeName: string; textContent: string | null } | null }[]
}

interface LayoutShiftBuffer {
  PerformanceObserver: new (callback: () => void) => {
    observe(options: { type: string; buffered: boolean }): void
    takeRecords(): LayoutShiftEntry[]
    disconnect(): void
  }
}

/**
 * In the browser: the layout shifts since the page loaded (the browser keeps them for an
 * observer that asks for its buffer), each with the elements that moved.
 */
function layoutShiftsSinceLoad(): { value: number; moved: string[] }[] {
  const browser = globalThis as unknown as LayoutShiftBuffer
  const observer = new browser.PerformanceObserver(() => {})
  observer.observe({ type: 'layout-shift', buffered: true })
  const entries = observer.takeRecords()
  observer.disconnect()
  return entries.map((entry) => ({
    value: entry.value,
    moved: entry.sources.map(
      (source) => `${source.node?.nodeName}: ${String(source.node?.textContent).slice(0, 30)}`,
    ),
  }))
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS !== '') {
    // The fax view is long (every page at full width): its first screen says enough.
    await page.screenshot({
      path: join(SCREENSHOTS, `${name}.png`),
      fullPage: !name.startsWith('fax-'),
    })
  }
}

/** Debian's Chromium, installed by scripts/test.sh (package chromium). */
const CHROMIUM = '/usr/lib/chromium/chromium'
const FROM = '+15555550150'
const EMAIL = 'console@example.com'
const PASSWORD = 'tall ferns by the harbour'

describe('the web console', { concurrency: true }, () => {
  let home: string
  let server: FaxdProcess
  let browser: Browser
  let token: string
  /** The fax ids of the two faxes sent before the tests: to +15555550100 and +15555550101. */
  let sentOk: string
  let sentBusy: string

  async function api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${server.url}/v3${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    })
  }

  /** Sends text-letter.pdf to `to`; answers the destinations' fax ids. */
  async function send(to: string[], extra: Record<string, unknown> = {}) {
    const { payload, headers } = multipartBody(
      'fax_file',
      'text-letter.pdf',
      'application/pdf',
      readDocument('text-letter.pdf'),
    )
    const uploaded = await api('/accounts/self/files', { method: 'POST', headers, body: payload })
    assert.equal(uploaded.status, 200)
    const { path } = (await uploaded.json()) as { path: string }
    const sent = await api('/accounts/self/outbox', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: FROM, to, files: [path], return_ids: true, ...extra }),
    })
    assert.equal(sent.status, 201, await sent.clone().text())
    return ((await sent.json()) as { ids: Record<string, string> }).ids
  }

  async function ended(faxId: string): Promise<void> {
    await pollUntil(
      async () => ((await api(`/accounts/self/faxes/${faxId}`)).status === 200 ? true : null),
      `the fax record ${faxId}`,
    )
  }

  /**
   * On the sign-in page, after the console sent the browser there: the account's email and
   * `password`, and the page's Sign in.
   */
  async function answerSignInPage(page: Page, password: string): Promise<void> {
    await page.waitForURL(/\/login\?/)
    await page.getByLabel('Email').fill(EMAIL)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  }

  /**
   * A new page (a tab of its own: its own sessionStorage), signed in as people do: the
   * console's Sign in, then email and password on faxd's sign-in page (OAuth2 with PKCE).
   */
  async function signedIn(viewport = { width: 1280, height: 800 }): Promise<Page> {
    const page = await browser.newPage({ viewport })
    await page.goto(server.url)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await answerSignInPage(page, PASSWORD)
    await page.getByRole('heading', { name: 'Sent faxes' }).waitFor()
    return page
  }

  async function violations(page: Page): Promise<string[]> {
    // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does
    // not govern: the console is checked with its policy on.
    await page.evaluate(axe.source)
    const result = await page.evaluate(async () => {
      const run = (globalThis as any).axe.run as typeof axe.run
      return run((globalThis as any).document, { resultTypes: ['violations'] })
    })
    return result.violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`,
    )
  }

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'faxd-console-'))
    const data = join(home, 'server')
    token = await aSenderWithToken({ dataDir: data }, EMAIL, FROM, PASSWORD)
    server = await serve({
      FAXD_DATA: data,
      DATABASE_URL: '',
      FAXD_SIMULATED_TIME_SCALE: '0.05',
      // The webhook test's receiver listens on this machine's loopback.
      FAXD_WEBHOOK_ALLOW_PRIVATE: '1',
    })
    const [launched, ids] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, headless: true }),
      send(['+15555550100', '+15555550101']),
    ])
    browser = launched
    sentOk = ids['+15555550100']!
    sentBusy = ids['+15555550101']!
    await Promise.all([ended(sentOk), ended(sentBusy)])
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
    await rm(home, { recursive: true, force: true })
  })

  it('is served at / with a policy that lets it reach nothing but this server', async () => {
    const answer = await fetch(`${server.url}/`)
    assert.equal(answer.status, 200)
    assert.match(answer.headers.get('content-type') ?? '', /^text\/html/)
    assert.equal(answer.headers.get('cache-control'), 'no-cache')
    assert.match(answer.headers.get('content-security-policy') ?? '', /connect-src 'self'/)
    const html = await answer.text()
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
    assert.ok(script, html)
    const asset = await fetch(`${server.url}${script}`)
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable')
    assert.equal((await fetch(`${server.url}/assets/nothing.js`)).status, 404)
  })

  it('signs in through the sign-in page: wrong password, cancel, then in, refreshed, and out', async () => {
    const page = await browser.newPage()
    await page.goto(`${server.url}/#/outbox`)
    assert.deepEqual(await violations(page), [], 'the sign-in view')
    await screenshot(page, 'sign-in')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await answerSignInPage(page, 'not the password')
    await page.getByRole('alert').getByText('Wrong email or password').waitFor()
    assert.deepEqual(await violations(page), [], 'the sign-in page, with its error')
    assert.match(await page.content(), /Sign in to the faxd web console/)
    await screenshot(page, 'sign-in-page')

    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('alert').getByText('Sign-in was cancelled.').waitFor()
    assert.equal(new URL(page.url()).search, '', 'the answer leaves the address bar')

    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await answerSignInPage(page, PASSWORD)
    // Back to the view the sign-in started from, the code gone from the address.
    await page.getByRole('heading', { name: 'Outbox' }).waitFor()
    assert.equal(new URL(page.url()).search, '')
    assert.equal(new URL(page.url()).hash, '#/outbox')

    // An access token about to end is refreshed before the next request; the refresh token
    // turns over with it.
    const kept = async () =>
      JSON.parse(
        await page.evaluate(
          () => (globalThis as unknown as TabStorage).sessionStorage.getItem('faxd.session') ?? '',
        ),
      ) as { kind: string; refreshToken: string; expiresAtMs: number }
    const first = await kept()
    assert.equal(first.kind, 'oauth')
    await page.evaluate((old) => {
      ;(globalThis as unknown as TabStorage).sessionStorage.setItem(
        'faxd.session',
        JSON.stringify({ ...old, expiresAtMs: 0 }),
      )
    }, first)
    await page.reload()
    await page.getByRole('heading', { name: 'Outbox' }).waitFor()
    await pollUntil(
      async () => ((await kept()).refreshToken !== first.refreshToken ? true : null),
      'the refreshed tokens',
    )
    assert.ok((await kept()).expiresAtMs > Date.now() + 30 * 60_000)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor()
    assert.equal(
      await page.evaluate(() =>
        (globalThis as unknown as TabStorage).sessionStorage.getItem('faxd.session'),
      ),
      null,
    )
    await page.close()
  })

  it('refuses a wrong token next to its field, then signs in and lists the sent faxes', async () => {
    const page = await browser.newPage()
    await page.goto(server.url)
    await page.getByText('Use a personal access token instead').click()
    const field = page.getByLabel('Personal access token')
    await field.fill('not-a-token')
    await page.getByRole('button', { name: 'Sign in with this token' }).click()
    await page.getByRole('alert').getByText('This token is not valid').waitFor()
    assert.equal(await field.getAttribute('aria-invalid'), 'true')
    assert.deepEqual(await violations(page), [], 'the sign-in view, with its error')

    await field.fill(token)
    await page.getByRole('button', { name: 'Sign in with this token' }).click()
    const rows = page.getByRole('row')
    await page.getByRole('link', { name: '+15555550101' }).waitFor()
    assert.match((await rows.filter({ hasText: '+15555550100' }).innerText()) ?? '', /Sent/)
    assert.match((await rows.filter({ hasText: '+15555550101' }).innerText()) ?? '', /Busy/)
    assert.deepEqual(await violations(page), [], 'the sent list')
    await screenshot(page, 'sent-desktop')

    // Between two dates: from tomorrow, nothing; from today, the faxes again.
    const day = (offset: number) => {
      const at = new Date(Date.now() + offset * 86_400_000)
      const two = (n: number) => String(n).padStart(2, '0')
      return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`
    }
    const fromDate = page.getByLabel('From')
    await fromDate.fill(day(1))
    await page.getByText('No faxes between these dates.').waitFor()
    await fromDate.fill(day(0))
    await page.getByLabel('Until').fill(day(0))
    await page.getByRole('link', { name: '+15555550101' }).waitFor()
    await fromDate.fill('')
    await page.getByLabel('Until').fill('')

    // Live: a fax sent meanwhile appears without a reload.
    const ids = await send(['+15555550103'])
    await ended(ids['+15555550103']!)
    await page.getByRole('link', { name: '+15555550103' }).waitFor({ timeout: 15_000 })
    await page.close()
  })

  it("shows a fax's attempts and pages, and downloads its PDF, by keyboard alone", async () => {
    const page = await signedIn()
    await page.getByRole('link', { name: '+15555550100' }).waitFor()
    // The first Tab reaches the skip link, which moves to the content and keeps the view.
    const focusedText = async () =>
      page.evaluate(
        () => ((globalThis as any).document.activeElement?.textContent as string | undefined) ?? '',
      )
    await page.keyboard.press('Tab')
    assert.equal(await focusedText(), 'Skip to content')
    await page.keyboard.press('Enter')
    assert.equal(
      await page.evaluate(() => (globalThis as any).document.activeElement?.id as string),
      'content',
    )
    assert.equal(await page.title(), 'Sent · faxd')
    await page.getByRole('heading', { name: 'Sent faxes' }).waitFor()
    // Tab from there to the fax's link, then Enter.
    await page.keyboard.press('Tab')
    for (let presses = 0; presses < 20; presses++) {
      const focused = await page.evaluate(
        () => ((globalThis as any).document.activeElement?.textContent as string | undefined) ?? '',
      )
      if (focused === '+15555550100') {
        break
      }
      await page.keyboard.press('Tab')
    }
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Fax to +15555550100' }).waitFor()
    // A new view is announced as a page would be: its title, and focus on its content.
    assert.equal(await page.title(), 'Fax · faxd')
    assert.equal(
      await page.evaluate(() => (globalThis as any).document.activeElement?.id as string),
      'content',
    )
    const attempt = page.getByRole('row').filter({ hasText: 'FAXD SIMULATED 0100' })
    assert.match(await attempt.innerText(), /14400 bit\/s/)
    // The header line its pages were sent with.
    await page.getByText(/UTC\s+FROM: \+15555550150\s+TO: \+15555550100/).waitFor()
    const image = page.getByRole('img', { name: 'Page 1' })
    await image.waitFor()
    assert.ok((await image.evaluate((img) => (img as any).naturalWidth as number)) > 0)
    assert.deepEqual(await violations(page), [], 'the fax view')
    await screenshot(page, 'fax-desktop')

    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Download PDF' }).focus()
    await page.keyboard.press('Enter')
    const file = await (await download).path()
    assert.equal((await readFile(file)).subarray(0, 5).toString(), '%PDF-')
    await page.close()
  })

  it('fits a phone: no sideways scrolling, and nothing shifts as the data arrives', async () => {
    const page = await signedIn({ width: 360, height: 740 })
    // Every answer of the API is held until the page has drawn two frames since it asked, so
    // each view draws its frame before its data arrives, as on a slow line (or a loaded
    // machine), and a shift when it does cannot be missed.
    await page.route(`${server.url}/v3/accounts/**`, async (route) => {
      await page
        .evaluate(
          () =>
            new Promise<void>((resolve) => {
              const { requestAnimationFrame: nextFrame } = globalThis as unknown as {
                requestAnimationFrame: (callback: () => void) => void
              }
              nextFrame(() => nextFrame(() => resolve()))
            }),
        )
        .catch(() => {}) // the page closed: the answer goes nowhere
      await route.continue().catch(() => {})
    })
    for (const view of [
      `#/fax/${sentOk}`,
      '#/sent',
      '#/outbox',
      '#/send',
      '#/webhooks',
      '#/numbers',
    ]) {
      await page.goto(`${server.url}/${view}`)
      await page.getByRole('heading').first().waitFor()
      if (view.startsWith('#/fax/')) {
        await page.getByRole('img', { name: 'Page 2' }).waitFor()
      }
      // Loaded: nothing on the page says it is still busy.
      await page.waitForFunction(
        () =>
          (
            globalThis as unknown as { document: { querySelector(selector: string): unknown } }
          ).document.querySelector('[aria-busy="true"]') === null,
      )
      const width = await page.evaluate(
        () => (globalThis as any).document.documentElement.scrollWidth as number,
      )
      await screenshot(page, `${view.split('/')[1]}-phone`)
      assert.ok(width <= 360, `${view} is ${width} px wide on a 360 px screen`)
      const shifts = await page.evaluate(layoutShiftsSinceLoad)
      assert.deepEqual(shifts, [], `${view} moved as its data arrived`)
    }

    // The received list, then the sent one: their rows arrive after the frame is drawn, into
    // rows of the same height; the layout shifts the browser reports add up to nothing.
    await page.evaluate(() => {
      const browser = globalThis as unknown as LayoutShiftWatch
      const seen: number[] = (browser.shifts = [])
      new browser.PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          seen.push(entry.value)
        }
      }).observe({ type: 'layout-shift', buffered: false })
      browser.location.hash = '#/received'
    })
    // Loaded, empty or not: another test here receives a fax while this one runs.
    await page.getByRole('heading', { name: 'Received faxes' }).waitFor()
    await page.locator('table.faxes[aria-busy="false"]').waitFor()
    await page.evaluate(() => ((globalThis as any).location.hash = '#/sent'))
    await page.getByRole('link', { name: '+15555550100' }).waitFor()
    const shifts = await page.evaluate(() => (globalThis as any).shifts as number[])
    assert.equal(
      shifts.reduce((sum, value) => sum + value, 0),
      0,
      JSON.stringify(shifts),
    )
    await page.close()
  })

  it('shows a scheduled fax in the outbox with its destinations', async () => {
    const later = new Date(Date.now() + 3_600_000).toISOString().slice(0, 19).replace('T', ' ')
    await send(['+15555550104'], { send_time: `${later} +0000` })
    const page = await signedIn()
    await page.getByRole('link', { name: 'Outbox' }).click()
    await page.getByRole('heading', { name: 'Outbox' }).waitFor()
    const entry = page.getByRole('listitem').filter({ hasText: '+15555550104' }).first()
    await entry.getByText('Scheduled').waitFor()
    assert.match(await entry.innerText(), /\+15555550104 waiting/)
    assert.deepEqual(await violations(page), [], 'the outbox')
    await screenshot(page, 'outbox-desktop')

    // Cancelled after a confirmation: it leaves the outbox, and no fax is made of it.
    page.once('dialog', (dialog) => void dialog.accept())
    await entry.getByRole('button', { name: 'Cancel the fax to +15555550104' }).click()
    await page.getByRole('listitem').filter({ hasText: '+15555550104' }).first().waitFor({
      state: 'detached',
    })
    // Focus, on the button that went with the entry, moves to the list's heading.
    assert.equal(
      await page.evaluate(() => (globalThis as any).document.activeElement?.id as string),
      'outbox-title',
    )
    const { records } = (await (await api('/accounts/self/outbox')).json()) as {
      records: { to: string[] }[]
    }
    assert.ok(!records.some((r) => r.to.includes('+15555550104')))
    await page.close()
  })

  it('sends a fax from the form: its pages shown first, a wrong number said next to "To"', async () => {
    const page = await signedIn()
    await page.getByRole('link', { name: 'Send' }).click()
    await page.getByRole('heading', { name: 'Send a fax' }).waitFor()
    await page.getByLabel(/Drop PDF/).setInputFiles(documentPath('text-letter.pdf'))
    await page.getByText('ready').waitFor()
    // Its pages as they will be sent, before sending: rendered by the server from the upload.
    await page.getByRole('img', { name: 'Page 2 as it will be sent' }).waitFor()
    await page.getByText('2 pages', { exact: true }).waitFor()
    await screenshot(page, 'send-desktop')
    const thumb = page.getByRole('img', { name: 'Page 1 as it will be sent' })
    assert.ok((await thumb.evaluate((img) => (img as any).naturalWidth as number)) > 0)
    const to = page.getByLabel('To', { exact: true })
    await to.fill('+15555550100, call-me')
    await page.getByRole('checkbox', { name: 'Add a cover page' }).check()
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await page.getByRole('alert').getByText('A cover page needs a subject.').waitFor()
    await page.getByLabel('Subject').fill('Contract')
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await page
      .getByRole('alert')
      .getByText(/body field to\.1 must be a fax number/)
      .waitFor()
    assert.equal(await to.getAttribute('aria-invalid'), 'true')
    assert.deepEqual(await violations(page), [], 'the send form, with an error')

    await to.fill('+15555550100')
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await page.getByRole('heading', { name: 'Outbox' }).waitFor()
    // It reaches success in the sent list, three pages (the cover first), each one visible.
    await page.getByRole('link', { name: 'Sent', exact: true }).click()
    const threePages = page
      .getByRole('row')
      .filter({ hasText: '+15555550100' })
      .filter({ has: page.getByRole('cell', { name: '3', exact: true }) })
    // Rendering waits its turn behind the other tests' renders and previews: minutes at worst.
    await threePages.getByText('Sent', { exact: true }).waitFor({ timeout: 120_000 })
    await threePages.getByRole('link').click()
    await page.getByRole('img', { name: 'Page 3 of 3' }).waitFor()
    await page.close()
  })

  it('says, before sending, that a document cannot be made into pages', async () => {
    const page = await signedIn()
    await page.goto(`${server.url}/#/send`)
    await page.getByLabel(/Drop PDF/).setInputFiles(hostilePath('truncated.pdf'))
    await page
      .getByRole('alert')
      .getByText(/This document cannot be sent: .*PDF cannot be read/)
      .waitFor()
    await page.close()
  })

  it('numbers, the account, and webhooks with their delivery log', async () => {
    // The outside world's receiver: a local HTTP server that answers 200.
    let received = 0
    const receiver = createServer((request, response) => {
      request.resume()
      request.on('end', () => {
        received++
        response.end('ok')
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/fax-events`
    try {
      const page = await signedIn()
      await page.getByRole('link', { name: 'Numbers' }).click()
      const row = page.getByRole('row').filter({ hasText: FROM })
      await row.waitFor()
      assert.match(await row.innerText(), /active/)
      assert.deepEqual(await violations(page), [], 'the numbers')

      await page.getByRole('link', { name: 'console@example.com' }).click()
      await page.getByRole('heading', { name: 'Account' }).waitFor()
      assert.match(await page.locator('.facts').innerText(), /console@example\.com/)

      await page.getByRole('link', { name: 'Webhooks' }).click()
      const url = page.getByLabel('URL to call')
      await url.fill('ftp://example.com/x')
      await page.getByRole('button', { name: 'Add webhook' }).click()
      await page.getByRole('alert').waitFor()
      assert.equal(await url.getAttribute('aria-invalid'), 'true')
      await url.fill(target)
      await page.getByRole('button', { name: 'Add webhook' }).click()
      await page.getByText(target).waitFor()
      assert.deepEqual(await violations(page), [], 'the webhooks')

      // A fax sent now is announced to it, and the log shows the delivery.
      // (To the slow line: the send form's test counts the faxes to +15555550100.)
      const ids = await send(['+15555550106'])
      await ended(ids['+15555550106']!)
      await page.getByRole('button', { name: 'Deliveries' }).click()
      await page.getByRole('cell', { name: 'HTTP 200' }).first().waitFor({ timeout: 20_000 })
      assert.ok(received >= 1)
      page.once('dialog', (dialog) => void dialog.accept())
      await page.getByRole('button', { name: `Delete the webhook to ${target}` }).click()
      await page.getByText('None yet.').waitFor()
      await page.close()
    } finally {
      await new Promise((resolve) => receiver.close(resolve))
    }
  })

  it('shows a busy line and its retry, from the form to the attempts', async () => {
    const page = await signedIn()
    await page.goto(`${server.url}/#/send`)
    await page.getByLabel(/Drop PDF/).setInputFiles(documentPath('letter.pdf'))
    await page.getByText('ready').waitFor()
    await page.getByLabel('To', { exact: true }).fill('+15555550101')
    await page.getByLabel('Retries when the line is busy or no one answers').selectOption('1')
    await page.getByLabel('Seconds between attempts (0–180)').fill('6')
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await page.getByRole('heading', { name: 'Outbox' }).waitFor()
    // Between the attempts, the outbox says the first failed and when the next is.
    await page.getByText(/\+15555550101 attempt 1 failed; next at/).waitFor({ timeout: 120_000 })
    // Then the fax record, newest first above the one sent before the tests: two busy attempts.
    await page.getByRole('link', { name: 'Sent', exact: true }).click()
    const busy = page.getByRole('row').filter({ hasText: '+15555550101' })
    await busy.nth(1).waitFor({ timeout: 120_000 })
    await busy.first().getByRole('link').click()
    await page.getByRole('heading', { name: 'Fax to +15555550101' }).waitFor()
    await page.getByRole('row').filter({ hasText: 'Busy' }).nth(1).waitFor()
    assert.equal(await page.getByRole('row').filter({ hasText: 'Busy' }).count(), 2)
    await page.close()
  })

  it('opens, in the viewer, a fax received from a send to one of our own numbers', async () => {
    const page = await signedIn()
    await page.goto(`${server.url}/#/send`)
    await page.getByLabel(/Drop PDF/).setInputFiles(documentPath('a4.pdf'))
    await page.getByText('ready').waitFor()
    await page.getByLabel('To', { exact: true }).fill(FROM)
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await page.getByRole('heading', { name: 'Outbox' }).waitFor()
    await page.getByRole('link', { name: 'Received' }).click()
    await page.getByRole('link', { name: FROM }).click({ timeout: 120_000 })
    await page.getByRole('heading', { name: `Fax from ${FROM}` }).waitFor()
    await page.getByRole('img', { name: 'Page 1 of 1' }).waitFor()
    assert.equal(await page.getByRole('button', { name: 'Confirmation report' }).count(), 0)
    await page.close()
  })

  it('keeps its script small: under 40 KB gzipped', async () => {
    const folder = join(PROJECT_ROOT, 'dist', 'console')
    const manifest = JSON.parse(
      await readFile(join(folder, '.vite', 'manifest.json'), 'utf8'),
    ) as Record<string, { file: string }>
    const scripts = Object.values(manifest).map((entry) => entry.file)
    let gzipped = 0
    for (const script of scripts) {
      gzipped += gzipSync(await readFile(join(folder, script))).length
    }
    assert.ok(gzipped < 40_000, `${gzipped} bytes of script, gzipped`)
    assert.ok(gzipped > 1000, 'the bundle was read')
  })

  it('a fax of another account is not shown', async () => {
    const page = await signedIn()
    await page.goto(`${server.url}/#/fax/ffffffffffffffffffffffff`)
    await page.getByRole('alert').getByText('No fax with this id').waitFor()
    await page.close()
  })
})
