/**
 * The client commands as people run them: `node bin/faxd.js login|send|status|faxes list|
 * download` in child processes, speaking HTTP to a `faxd serve` in another, whose test numbers
 * answer at a tenth of real time. Progress is read as a log reads it (stderr not a terminal) and
 * as a terminal shows it (under script(1), which gives the command a pseudo-terminal).
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { documentPath } from '../support/fixtures.js'
import { BIN, type FaxdProcess, serve } from '../support/faxd-process.js'
import { aSenderWithToken } from '../support/operator-setup.js'
import { pollUntil } from '../support/poll-until.js'

const run = promisify(execFile)
const FROM = '+15555550150'
/** Two pages of text, 38 KB. */
const LETTER = documentPath('text-letter.pdf')

interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** `faxd ARGS…` with `env` added to a clean environment (no FAXD_URL, FAXD_TOKEN or HOME). */
function faxd(env: Record<string, string>, args: string[], input = ''): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env['PATH'], ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(input)
  })
}

/** The texts stderr showed for `key`, in order (plain lines: `key: text`). */
function linesAbout(stderr: string, key: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith(`${key}: `))
    .map((line) => line.slice(key.length + 2))
}

describe('faxd client commands', { concurrency: true }, () => {
  let home: string
  let server: FaxdProcess
  let token: string
  /** FAXD_URL and FAXD_TOKEN: logged in without a saved login. */
  let loggedIn: Record<string, string>

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'faxd-client-'))
    const data = join(home, 'server')
    token = await aSenderWithToken({ dataDir: data }, 'sender@example.com', FROM)
    server = await serve({
      FAXD_DATA: data,
      DATABASE_URL: '',
      FAXD_SIMULATED_TIME_SCALE: '0.1',
    })
    loggedIn = { HOME: join(home, 'nobody'), FAXD_URL: server.url, FAXD_TOKEN: token }
  })
  after(async () => {
    await server?.stop()
    await rm(home, { recursive: true, force: true })
  })

  it('login checks the token, then saves it readable by its owner alone', async () => {
    const config = join(home, 'login-config')
    const env = { HOME: join(home, 'nobody'), XDG_CONFIG_HOME: config }
    const saved = join(config, 'faxd', 'client.json')

    const wrong = await faxd(env, ['login', '--url', server.url], 'not-a-token\n')
    assert.equal(wrong.code, 1, wrong.stderr)
    assert.equal(wrong.stderr, 'faxd login: The access token is not valid [invalid_token]\n')
    await assert.rejects(stat(saved), /ENOENT/)

    const right = await faxd(env, ['login', '--url', `${server.url}/v3/`], `${token}\n`)
    assert.equal(right.code, 0, right.stderr)
    assert.equal(
      right.stdout,
      `logged in to ${server.url} as sender@example.com; saved in ${saved}\n`,
    )
    assert.equal((await stat(saved)).mode & 0o777, 0o600)
    assert.equal((await stat(join(config, 'faxd'))).mode & 0o777, 0o700)
    assert.deepEqual(JSON.parse(await readFile(saved, 'utf8')), { url: server.url, token })

    // The saved login is what the other commands use.
    const list = await faxd(env, ['faxes', 'list', '--json'])
    assert.equal(list.code, 0, list.stderr)
    assert.ok(Array.isArray(JSON.parse(list.stdout)))

    const out = await faxd(env, ['logout'])
    assert.equal(
      out.stdout,
      `logged out: ${saved} removed (the token itself stays valid until an operator revokes ` +
        'it: faxd tokens revoke)\n',
    )
    assert.equal((await faxd(env, ['logout'])).stdout, `no saved login (${saved})\n`)
    const after = await faxd(env, ['faxes', 'list'])
    assert.equal(after.code, 1)
    assert.match(after.stderr, /not logged in: run `faxd login --url URL`/)
  })

  it('send --wait shows each destination move and exits 3 when only part got through', async () => {
    const sent = await faxd(loggedIn, [
      'send',
      LETTER,
      '--to',
      '+15555550106',
      '--to',
      '+15555550101,+15555550104',
      '--wait',
    ])
    assert.equal(sent.code, 3, sent.stderr)
    const accepted = /^accepted: outbox ([0-9a-f]{32})\n/.exec(sent.stdout)
    assert.ok(accepted, sent.stdout)
    for (const number of ['+15555550106', '+15555550101', '+15555550104']) {
      assert.match(sent.stdout, new RegExp(`\\n  \\${number}: fax [0-9a-f]{24}\\n`))
    }
    assert.match(sent.stdout, /\npartly sent: 1 of 3 destinations got every page\n$/)

    assert.deepEqual(linesAbout(sent.stderr, 'text-letter.pdf'), [
      'uploading (38 KB)',
      'uploaded (38 KB)',
    ])
    // The slow line's pages take 3.2 s each here: every step is seen, in order, once.
    const slow = linesAbout(sent.stderr, '+15555550106')
    const steps = [
      'dialing, then page 1 of 2 (attempt 1)',
      'sending page 2 of 2 (attempt 1)',
      'sent: 2 pages to "FAXD SIMULATED 0106" at 7200 bit/s',
    ]
    assert.deepEqual(
      slow.filter((line) => steps.includes(line)),
      steps,
      sent.stderr,
    )
    assert.equal(slow[slow.length - 1], steps[2])
    assert.deepEqual(linesAbout(sent.stderr, '+15555550101').slice(-1), [
      'failed: the line was busy (failed_user_busy)',
    ])
    assert.deepEqual(linesAbout(sent.stderr, '+15555550104').slice(-1), [
      'partially sent: 1 page got through (the call dropped after page 1)',
    ])
  })

  it('send --wait exits 4 when no destination got a page, with the reason', async () => {
    const sent = await faxd(loggedIn, ['send', LETTER, '--to', '+15555550103', '--wait'])
    assert.equal(sent.code, 4, sent.stderr)
    assert.match(sent.stdout, /\nnot sent: no destination got a page\n$/)
    assert.deepEqual(linesAbout(sent.stderr, '+15555550103').slice(-1), [
      'failed: the number is not allocated (failed_unallocated_number)',
    ])
  })

  it('on a terminal, redraws the progress in place and exits 0 when every page got through', async () => {
    const env = { ...loggedIn, COLUMNS: '100' }
    // script(1) runs the command on a pseudo-terminal and copies what it writes; -e: its status.
    const command = [process.execPath, BIN, 'send', LETTER, '--to', '+15555550100', '--wait']
      .map((word) => `'${word}'`)
      .join(' ')
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env['PATH'], ...env },
    }).catch((error: { code: number; stdout: string }) => {
      assert.fail(`exit ${error.code}:\n${error.stdout}`)
    })
    // Each redraw moves up over the block (ESC [ n F) and erases each line (ESC [ 2 K).
    const ESC = '\u001b'
    assert.ok(
      stdout.includes(`${ESC}[1F${ESC}[2K+15555550100: sending page 2 of 2 (attempt 1)`),
      JSON.stringify(stdout),
    )
    assert.ok(stdout.includes(`${ESC}[2K+15555550100: sent: 2 pages to "FAXD SIMULATED 0100"`))
    assert.match(stdout, /text-letter\.pdf: uploaded \(38 KB\)/)
    assert.match(stdout, /sent to its destination\r?\n$/)
  })

  it('send --at schedules it; status shows when, then the fax and its attempts', async () => {
    const sent = await faxd(loggedIn, ['send', LETTER, '--to', '+15555550100', '--at', '+2h'])
    assert.equal(sent.code, 0, sent.stderr)
    const outboxId = /^accepted: outbox ([0-9a-f]{32})$/m.exec(sent.stdout)?.[1]
    assert.ok(outboxId, sent.stdout)
    assert.match(sent.stdout, /\n {2}to be sent at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(.+\)\n/)
    assert.match(sent.stdout, new RegExp(`follow it with: faxd status ${outboxId}\\n$`))

    // It is rendered at once and then waits for its time.
    const status = await pollUntil(async () => {
      const answer = await faxd(loggedIn, ['status', outboxId])
      assert.equal(answer.code, 0, answer.stderr)
      return /rendering|accepted, waiting/.test(answer.stdout) ? null : answer
    }, `outbox ${outboxId} rendered`)
    assert.match(
      status.stdout,
      new RegExp(
        `^outbox ${outboxId}: scheduled for sending\\n  \\+15555550100 \\(fax [0-9a-f]{24}\\): ` +
          // Rendering may take a while on a busy machine: the countdown is read in minutes.
          'scheduled for \\S+ \\S*\\s?\\(in (1 h 5\\d min|2 h)\\)\\n$',
      ),
    )
    const json = await faxd(loggedIn, ['status', outboxId, '--json'])
    assert.equal(JSON.parse(json.stdout).id, outboxId)
  })

  it('status of a fax, faxes list and download as PDF and TIFF', async () => {
    const sent = await faxd(loggedIn, ['send', LETTER, '--to', '+15555550104', '--wait'])
    assert.equal(sent.code, 3, sent.stderr)
    const faxId = /\+15555550104: fax ([0-9a-f]{24})/.exec(sent.stdout)?.[1]
    assert.ok(faxId)

    const status = await faxd(loggedIn, ['status', faxId])
    assert.equal(status.code, 0, status.stderr)
    assert.match(
      status.stdout,
      new RegExp(
        `^fax ${faxId} to \\+15555550104, [0-9-]+ [0-9:]+ UTC: partially sent: 1 page got through ` +
          '\\(the call dropped after page 1\\)\\n' +
          '  attempt 1, [0-9-]+ [0-9:]+–[0-9:]+ UTC: partially_sent \\(the call dropped after page 1\\), ' +
          'pages 1; "FAXD SIMULATED 0104", 14400 bit/s\\n$',
      ),
    )

    const list = await faxd(loggedIn, ['faxes', 'list', '--category', 'sent', '--limit', '200'])
    assert.equal(list.code, 0, list.stderr)
    const [header, ...rows] = list.stdout.trimEnd().split('\n')
    assert.match(header ?? '', /^ID +STARTED \(UTC\) +NUMBER +PAGES +STATUS$/)
    assert.ok(
      rows.some((row) =>
        new RegExp(`^${faxId} .+ to \\+15555550104 +1 +partially_sent$`).test(row),
      ),
      list.stdout,
    )

    const folder = await mkdtemp(join(home, 'downloads-'))
    const pdf = join(folder, 'fax.pdf')
    const got = await faxd(loggedIn, ['download', faxId, '-o', pdf])
    assert.equal(got.code, 0, got.stderr)
    assert.match(got.stdout, new RegExp(`^saved ${pdf} \\(\\d+ KB\\)\\n$`))
    const { stdout: info } = await run('pdfinfo', [pdf])
    // The fax's file holds the document, all of it, whatever got through.
    assert.match(info, /^Pages: +2$/m)

    const tif = join(folder, 'fax.tif')
    assert.equal((await faxd(loggedIn, ['download', faxId, '-o', tif])).code, 0)
    const { stdout: tiff } = await run('tiffinfo', [tif])
    assert.match(tiff, /Compression Scheme: CCITT/)

    // An existing file is kept unless --force says otherwise.
    await writeFile(pdf, 'mine')
    const refused = await faxd(loggedIn, ['download', faxId, '-o', pdf])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /exists; name another with -o, or replace it with --force/)
    assert.equal(await readFile(pdf, 'utf8'), 'mine')
    assert.equal((await faxd(loggedIn, ['download', faxId, '-o', pdf, '--force'])).code, 0)
    assert.equal((await readFile(pdf)).subarray(0, 5).toString(), '%PDF-')
  })

  it('says what is wrong, in words, and sends nothing', async () => {
    const missing = await faxd(loggedIn, [
      'send',
      join(home, 'no-such.pdf'),
      '--to',
      '+15555550100',
    ])
    assert.equal(missing.code, 1)
    assert.match(
      missing.stderr,
      /^faxd send: .*no-such\.pdf cannot be read: there is no such file\n$/,
    )

    const badNumber = await faxd(loggedIn, ['send', LETTER, '--to', 'call me'])
    assert.equal(badNumber.code, 1)
    assert.match(
      badNumber.stderr,
      /\nfaxd send: body field to\.0 must be a fax number .+ \[invalid_to\]\n$/,
    )

    const badTime = await faxd(loggedIn, ['send', LETTER, '--to', '+15555550100', '--at', 'soon'])
    assert.equal(badTime.code, 2)
    assert.match(badTime.stderr, /--at "soon" is not a time faxd reads/)
    assert.match(badTime.stderr, /\nusage: faxd send FILE\.\.\./)

    // A port nothing listens on: one that was free a moment ago.
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    const unreachable = await faxd({ ...loggedIn, FAXD_URL: `http://127.0.0.1:${port}` }, [
      'faxes',
      'list',
    ])
    assert.equal(unreachable.code, 1)
    assert.equal(
      unreachable.stderr,
      `faxd faxes list: cannot reach http://127.0.0.1:${port} (ECONNREFUSED)\n`,
    )

    const unknown = await faxd(loggedIn, ['status', 'ffffffffffffffffffffffff'])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /nothing has the id ffffffffffffffffffffffff: not an outbox entry/)

    // FAXD_URL alone would send the saved token to another server: refused.
    const half = await faxd({ HOME: join(home, 'nobody'), FAXD_URL: server.url }, ['faxes', 'list'])
    assert.equal(half.code, 1)
    assert.match(half.stderr, /FAXD_URL is set without FAXD_TOKEN: set both/)
  })

  it('Ctrl-C stops waiting, not the fax', async () => {
    const child = spawn(
      process.execPath,
      // With a retry 30 s after the first attempt, the entry outlasts this test whatever the load.
      [
        BIN,
        'send',
        LETTER,
        '--to',
        '+15555550102',
        '--retry',
        '1',
        '--retry-delay',
        '30',
        '--wait',
      ],
      { env: { PATH: process.env['PATH'], ...loggedIn } },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    const dialing = new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk
        if (stderr.includes('+15555550102: dialing')) {
          resolve()
        }
      })
    })
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    await Promise.race([dialing, closed])
    child.kill('SIGINT')
    assert.equal(await closed, 130, stderr)

    const outboxId = /^accepted: outbox ([0-9a-f]{32})$/m.exec(stdout)?.[1]
    assert.ok(outboxId)
    assert.match(
      stderr,
      new RegExp(`faxd send: stopped waiting; the fax goes on: faxd status ${outboxId}\\n$`),
    )
    // The call goes on: the outbox entry is still there, calling or waiting to retry.
    const status = await faxd(loggedIn, ['status', outboxId])
    assert.equal(status.code, 0, status.stderr)
    assert.match(
      status.stdout,
      /\+15555550102 \(fax [0-9a-f]{24}\): (dialing|attempt 1 failed; retry at)/,
    )
  })
})
