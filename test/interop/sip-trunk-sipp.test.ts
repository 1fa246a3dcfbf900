/**
 * faxd on a SIP trunk, each outcome against real peers: SIPp as the trunk (one scenario file
 * per outcome, test/interop/sipp/trunk-*.xml) and, where the call reaches T.38, the spandsp
 * peer as the far fax machine. Each fax is sent through the API and its status read back
 * through the API. SIPp's exit code 0 says the scenario ran as written: faxd sent what it
 * expects, in that order, with the headers and SDP its checks (ereg, check_it) ask for; what
 * SIPp cannot check (a digest response, a branch, a timing) is checked here from its message
 * log.
 *
 * Every call is in real time and the cases run side by side: the longest, the hang-up after
 * page 1, holds its call for 40 s. The cases that need no settings of their own take turns on
 * two shared servers, balanced so that neither line outlasts that call by much; the others
 * start a faxd each.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { readTiff } from '../../src/codec/tiff-read.js'
import { differenceOf } from '../codec/pages.js'
import { type FaxdChild, startFaxdChild } from '../support/faxd-child.js'
import { aSenderWithToken } from '../support/operator-setup.js'
import {
  SIPP_EXIT,
  type SippResult,
  type SippRun,
  freeUdpPort,
  runSipp,
  startSipp,
} from '../support/sipp.js'
import {
  FROM,
  SIPP_SCENARIOS,
  SharedTrunk,
  type TrunkCallResult,
  trunkCall,
} from '../support/sip-trunk-call.js'

/** What the scenarios that challenge faxd expect it to answer with. */
const SIP_USER = 'faxd-user'
const SIP_PASSWORD = 'faxd-secret'

describe('faxd through a SIP trunk (SIPp) to spandsp', { concurrency: true }, () => {
  // The hang-up after page 1 (about a minute) and the two short refusals on one; the three
  // calls of 15 to 30 s on the other.
  const longLine = new SharedTrunk()
  const shortLine = new SharedTrunk()
  after(async () => {
    await Promise.all([longLine.close(), shortLine.close()])
  })

  it('far end answers with audio, then re-INVITEs to T.38: success', async () => {
    const call = await shortLine.call({
      scenario: 'trunk-audio-then-reinvite-t38.xml',
      spandsp: {},
    })
    assert.equal(call.fax['status'], 'success', explain(call))
    assert.equal(call.sipp.exitCode, SIPP_EXIT.allCallsSucceeded, explain(call))
    assert.equal(call.spandsp?.exitCode, 0, call.spandsp?.stderr)
    await assertPagesArrivedIntact(call)
  })

  it('T.38 in the INVITE, accepted in the first answer: success, no re-INVITE', async () => {
    const call = await trunkCall({
      scenario: 'trunk-t38-in-first-answer.xml',
      spandsp: {},
      env: { FAXD_SIP_T38_IN_INVITE: 'on' },
    })
    assert.equal(call.fax['status'], 'success', explain(call))
    assert.equal(call.fax['pages'], 1, explain(call))
    // An INVITE from faxd after the answer would have been unexpected: SIPp would exit 1.
    assert.equal(call.sipp.exitCode, SIPP_EXIT.allCallsSucceeded, explain(call))
    assert.equal(call.spandsp?.exitCode, 0, call.spandsp?.stderr)
    assert.equal(sippMessages(call.sipp.messageLog).filter(isRequest('INVITE')).length, 1)
    await assertPagesArrivedIntact(call)
  })

  it('486 Busy Here: failed_user_busy, the 486 acknowledged', async () => {
    // sendFax without options has no retries (retry count 0): one INVITE, one attempt.
    const call = await longLine.call({ scenario: 'trunk-busy-486.xml' })
    assert.equal(call.fax['status'], 'failed_user_busy', explain(call))
    assert.equal(call.fax['pages'], 0, explain(call))
    assert.equal(call.sipp.exitCode, SIPP_EXIT.allCallsSucceeded, explain(call))
    assertAckInInviteTransaction(call.sipp, 1)
  })

  it('180 Ringing, then 480 Temporarily Unavailable: failed_no_answer', async () => {
    const call = await longLine.call({ scenario: 'trunk-no-answer-480.xml' })
    assert.equal(call.fax['status'], 'failed_no_answer', explain(call))
    assert.equal(call.sipp.exitCode, SIPP_EXIT.allCallsSucceeded, explain(call))
    assertAckInInviteTransaction(call.sipp, 1)
  })

  it('407 Proxy Authentication Required, then an INVITE with credentials: success', async () => {
    const call = await trunkCall({
      scenario: 'trunk-407-then-success.xml',
      spandsp: {},
      env: { FAXD_SIP_USER: SIP_USER, FAXD_SIP_PASSWORD: SIP_PASSWORD },
    })
    assert.equal(call.fax['status'], 'success', explain(call))
    assert.equal(call.sipp.exitCode, SIPP_EXIT.allCallsSucceeded, explain(call))
    assert.equal(call.spandsp?.exitCode, 0, call.spandsp?.stderr)
    assertAckInInviteTransaction(call.sipp, 1)
    // RFC 2617 §3.2.2.1 with qop=auth: KD(H(A1), nonce:nc:cnonce:qop:H(A2)), A1 =
    // user:realm:password, A2 = INVITE:digest-uri, the digest-uri being the Request-URI
    // (RFC 3261 §22.4). SIPp 3.6.1's verifyauth cannot check a Proxy-Authorization.
    const invite = sippMessages(call.sipp.messageLog)
      .filter(isRequest('INVITE'))
      .find((message) => header(message, 'CSeq') === '2 INVITE')
    assert.ok(invite !== undefined, call.sipp.messageLog)
    const credentials = digestParams(header(invite, 'Proxy-Authorization') ?? '')
    assert.equal(credentials['uri'], invite.startLine.split(' ')[1], 'digest-uri = Request-URI')
    const ha1 = md5(`${SIP_USER}:trunk.test:${SIP_PASSWORD}`)
    const ha2 = md5(`INVITE:${credentials['uri']}`)
    const { nonce, nc, cnonce, qop } = credentials
    assert.equal(
      credentials['response'],
      md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`),
      `the digest response of ${header(invite, 'Proxy-Authorization')}`,
    )
  })

  it("488 to faxd's T.38 re-INVITE: failed_to_send, saying T.38 was refused", async () => {
    const call = await shortLine.call({ scenario: 'trunk-488-to-t38-reinvite.xml' })
    assert.equal(call.fax['status'], 'failed_to_send', explain(call))
    assert.match(String(call.fax['description']), /T\.38/, explain(call))
    assert.equal(call.sipp.exitCode, SIPP_EXIT.allCallsSucceeded, explain(call))
    // The 488 was to faxd's re-INVITE (CSeq 2); its ACK is in that transaction.
    assertAckInInviteTransaction(call.sipp, 2)
  })

  it('far end hangs up (BYE) after page 1 of 3: partially_sent, 1 page', async () => {
    // Page 1 is one line; pages 2 and 3 are dense (see trunk-bye-after-page-1.xml for timing).
    const text = `Page 1 of 3: a short cover note.\f${denseText(1)}\f${denseText(2)}\n`
    const call = await longLine.call({
      scenario: 'trunk-bye-after-page-1.xml',
      spandsp: {},
      text,
      sippTimeoutSeconds: 150,
      finalWithinMs: 150_000,
    })
    assert.equal(call.pageCount, 3, explain(call))
    assert.equal(call.fax['status'], 'partially_sent', explain(call))
    assert.equal(call.fax['pages'], 1, explain(call))
    assert.equal(call.sipp.exitCode, SIPP_EXIT.allCallsSucceeded, explain(call))
    assert.equal(call.spandsp?.report.pagesRx, 1, call.spandsp?.stderr)
    await assertPagesArrivedIntact(call, 1)
  })

  it('session refresh re-INVITE from the far end during the fax: 200 with the image stream', async () => {
    const call = await shortLine.call({ scenario: 'trunk-session-refresh.xml', spandsp: {} })
    assert.equal(call.fax['status'], 'success', explain(call))
    assert.equal(call.sipp.exitCode, SIPP_EXIT.allCallsSucceeded, explain(call))
    assert.equal(call.spandsp?.exitCode, 0, call.spandsp?.stderr)
    // RFC 3264 §8: an answer that does not change the session keeps its o= version.
    const answers = sippMessages(call.sipp.messageLog).filter(
      (message) => message.direction === 'received' && /^SIP\/2\.0 200 /.test(message.startLine),
    )
    const toReinvite = answers.find((message) => header(message, 'CSeq') === '1 INVITE')
    const toRefresh = answers.find((message) => header(message, 'CSeq') === '2 INVITE')
    assert.ok(toReinvite !== undefined && toRefresh !== undefined, call.sipp.messageLog)
    assert.equal(originLine(toRefresh), originLine(toReinvite))
  })

  it('rings past FAXD_SIP_RING_SECONDS: CANCEL, 487, ACK; failed_no_answer', async () => {
    const call = await trunkCall({
      scenario: 'trunk-cancel-while-ringing.xml',
      env: { FAXD_SIP_RING_SECONDS: '3' },
    })
    assert.equal(call.fax['status'], 'failed_no_answer', explain(call))
    assert.equal(call.fax['pages'], 0, explain(call))
    assert.match(String(call.fax['description']), /nobody answered within 3 s/, explain(call))
    // SIPp's scenario checks the CANCEL's branch and CSeq; exit 0 means it came as written.
    assert.equal(call.sipp.exitCode, SIPP_EXIT.allCallsSucceeded, explain(call))
    assertAckInInviteTransaction(call.sipp, 1)
  })

  it('registers: 401, 200 for 60 s, a refresh with credentials 30 s later, removal at stop', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'faxd-sip-register-'))
    let server: FaxdChild | null = null
    let sipp: SippRun | null = null
    try {
      sipp = await startSipp({
        scenario: { file: join(SIPP_SCENARIOS, 'trunk-register-401-refresh.xml') },
        // faxd registers as it starts, so SIPp is up first: its run counts faxd's start (slow
        // on a loaded machine), the 30 s to the refresh, and the stop.
        timeoutSeconds: 150,
      })
      server = await startFaxdChild('serve', {
        FAXD_DATA: join(folder, 'data'),
        DATABASE_URL: '',
        FAXD_SIP_TRUNK: `127.0.0.1:${sipp.port}`,
        FAXD_SIP_LISTEN: `127.0.0.1:${await freeUdpPort()}`,
        FAXD_SIP_REGISTER: 'on',
        FAXD_SIP_REGISTER_SECONDS: '60',
        FAXD_SIP_USER: SIP_USER,
        FAXD_SIP_PASSWORD: SIP_PASSWORD,
      })
      const running = server
      await until(
        () => Promise.resolve(registrations(running.output()) >= 2 ? true : null),
        90_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${quiet(running.output())}`)
      })
      await server.stop()
      const result = await sipp.done
      assert.equal(result.exitCode, SIPP_EXIT.allCallsSucceeded, explainSipp(result, server))
      assert.equal(registrations(server.output()), 2, quiet(server.output()))
      // refreshDelayMs: half of a 60 s binding, since 60 s is less than twice the 300 s margin.
      const messages = sippMessages(result.messageLog)
      const granted = messages.find(
        (message) => message.direction === 'sent' && header(message, 'CSeq') === '2 REGISTER',
      )
      const refresh = messages.find(
        (message) => message.direction === 'received' && header(message, 'CSeq') === '3 REGISTER',
      )
      assert.ok(granted !== undefined && refresh !== undefined, result.messageLog)
      const refreshedAfterMs = refresh.atMs - granted.atMs
      assert.ok(
        refreshedAfterMs > 28_000 && refreshedAfterMs < 33_000,
        `refreshed ${refreshedAfterMs} ms after the 200`,
      )
    } finally {
      sipp?.stop()
      await server?.stop()
      await rm(folder, { recursive: true, force: true })
    }
  })

  it('inbound call while every channel is in use: 486 Busy Here, acknowledged', async () => {
    // One channel (FAXD_SIP_CHANNELS=1), taken by an outbound fax that rings (the CANCEL
    // scenario, 10 s before faxd gives up); meanwhile SIPp calls faxd's own number, FROM.
    let inbound: SippResult | null = null
    const call = await trunkCall({
      scenario: 'trunk-cancel-while-ringing.xml',
      env: { FAXD_SIP_CHANNELS: '1', FAXD_SIP_RING_SECONDS: '10' },
      whileCalling: async ({ sipPort, trunk }) => {
        // The carrier takes the channel before it sends the INVITE: once the trunk has it, the
        // one channel is in use.
        await until(
          async () => ((await trunk.messagesSoFar()).includes('INVITE sip:') ? true : null),
          20_000,
        )
        inbound = await runSipp({
          scenario: { file: join(SIPP_SCENARIOS, 'inbound-channels-full-486.xml') },
          remote: { host: '127.0.0.1', port: sipPort },
          service: FROM.slice(1),
          timeoutSeconds: 8,
        })
      },
    })
    const result = inbound as SippResult | null
    assert.ok(result !== null, 'the inbound call was made while the fax rang')
    assert.equal(result.exitCode, SIPP_EXIT.allCallsSucceeded, result.messageLog)
    const sent = sippMessages(result.messageLog).filter((message) => message.direction === 'sent')
    const invite = sent.find((message) => message.startLine.startsWith('INVITE '))
    const ack = sent.find((message) => message.startLine.startsWith('ACK '))
    assert.ok(invite !== undefined && ack !== undefined, result.messageLog)
    assert.equal(branchOf(ack), branchOf(invite), 'the ACK is in the INVITE transaction')
    assert.equal(call.fax['status'], 'failed_no_answer', explain(call))
  })

  it('inbound call to a number nobody owns: 404 Not Found, acknowledged', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'faxd-sip-inbound-'))
    let server: FaxdChild | null = null
    try {
      const dataDir = join(folder, 'data')
      // The server owns FROM; SIPp calls another number.
      await aSenderWithToken({ dataDir }, 'owner@example.test', FROM)
      const sipPort = await freeUdpPort()
      const mediaPort = await freeUdpPort()
      server = await startFaxdChild('serve', {
        FAXD_DATA: dataDir,
        DATABASE_URL: '',
        FAXD_SIP_TRUNK: `127.0.0.1:${await freeUdpPort()}`,
        FAXD_SIP_LISTEN: `127.0.0.1:${sipPort}`,
        FAXD_SIP_MEDIA_PORTS: `${mediaPort}-${mediaPort}`,
      })
      const result = await runSipp({
        scenario: { file: join(SIPP_SCENARIOS, 'inbound-unknown-number-404.xml') },
        remote: { host: '127.0.0.1', port: sipPort },
        service: '+14155550199',
        timeoutSeconds: 20,
      })
      assert.equal(result.exitCode, SIPP_EXIT.allCallsSucceeded, explainSipp(result, server))
      const sent = sippMessages(result.messageLog).filter((message) => message.direction === 'sent')
      const invite = sent.find((message) => message.startLine.startsWith('INVITE '))
      const ack = sent.find((message) => message.startLine.startsWith('ACK '))
      assert.ok(invite !== undefined && ack !== undefined, result.messageLog)
      assert.equal(branchOf(ack), branchOf(invite), 'the ACK is in the INVITE transaction')
    } finally {
      await server?.stop()
      await rm(folder, { recursive: true, force: true })
    }
  })
})

// ---- helpers ------------------------------------------------------------------------------

/** One message of SIPp's -trace_msg log. */
interface SippMessage {
  /** received: faxd sent it to SIPp; sent: SIPp sent it. */
  readonly direction: 'received' | 'sent'
  /** SIPp's timestamp, ms (local time: only differences mean anything). */
  readonly atMs: number
  readonly startLine: string
  readonly headers: readonly string[]
  readonly body: string
}

/**
 * SIPp 3.6.1 logs each message as a line of dashes with a timestamp, a line saying
 * "UDP message received [N] bytes :" or "UDP message sent (N bytes):", then the message.
 */
function sippMessages(log: string): SippMessage[] {
  const messages: SippMessage[] = []
  const entry =
    /^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n\w+ message (received|sent)[^\n]*\n+([\s\S]*?)(?=^-{20,}|(?![\s\S]))/gm
  for (const match of log.matchAll(entry)) {
    const [, stamp = '', direction = '', text = ''] = match
    const [head = '', body = ''] = text.replace(/\r/g, '').split(/\n\n/, 2)
    const [startLine = '', ...headers] = head.trim().split('\n')
    messages.push({
      direction: direction as 'received' | 'sent',
      atMs: new Date(stamp.replace(' ', 'T')).getTime(),
      startLine: startLine.trim(),
      headers: headers.map((line) => line.trim()),
      body,
    })
  }
  return messages
}

function isRequest(method: string): (message: SippMessage) => boolean {
  return (message) => message.direction === 'received' && message.startLine.startsWith(`${method} `)
}

/** The first value of header `name` (no compact forms: faxd sends none). */
function header(message: SippMessage, name: string): string | undefined {
  const prefix = `${name.toLowerCase()}:`
  const line = message.headers.find((each) => each.toLowerCase().startsWith(prefix))
  return line?.slice(prefix.length).trim()
}

function branchOf(message: SippMessage): string | undefined {
  return /;\s*branch=([^;,\s]+)/i.exec(header(message, 'Via') ?? '')?.[1]
}

function originLine(message: SippMessage): string | undefined {
  return message.body.split('\n').find((line) => line.startsWith('o='))
}

/**
 * RFC 3261 §17.1.1.3: faxd's ACK for the non-2xx final response to its INVITE with CSeq `seq`
 * has that INVITE's branch (it belongs to the INVITE's transaction), the CSeq number with
 * method ACK, and the To of the response (with the far end's tag).
 */
function assertAckInInviteTransaction(result: SippResult, seq: number): void {
  const messages = sippMessages(result.messageLog)
  const invite = messages.find(
    (message) => isRequest('INVITE')(message) && header(message, 'CSeq') === `${seq} INVITE`,
  )
  const final = messages.find(
    (message) =>
      message.direction === 'sent' &&
      /^SIP\/2\.0 [3-6]\d\d /.test(message.startLine) &&
      header(message, 'CSeq') === `${seq} INVITE`,
  )
  const ack = messages.find(
    (message) => isRequest('ACK')(message) && header(message, 'CSeq') === `${seq} ACK`,
  )
  assert.ok(invite !== undefined && final !== undefined, result.messageLog)
  assert.ok(ack !== undefined, `no ACK for the ${final.startLine}\n${result.messageLog}`)
  assert.equal(branchOf(ack), branchOf(invite), 'the ACK has the INVITE branch')
  assert.equal(header(ack, 'To'), header(final, 'To'), "the ACK's To is the response's")
}

/** The parameters of a Digest credentials header, quotes taken off. */
function digestParams(value: string): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [, name = '', quoted, token] of value.matchAll(
    /(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))/g,
  )) {
    params[name.toLowerCase()] = quoted ?? token ?? ''
  }
  return params
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex')
}

/**
 * A page of dense text (60 lines of 88 characters, the most a letter page holds): characters
 * with many strokes, in a fixed pseudo-random order, so that the page compresses badly and
 * takes a long time to send (116 KB of MMR, about 72 s at 14 400 bit/s with ECM).
 */
function denseText(seed: number): string {
  const glyphs = 'MW#@%&$QBNHKRDGOXZ8'
  let state = seed
  const lines: string[] = []
  for (let row = 0; row < 60; row++) {
    let line = ''
    for (let column = 0; column < 88; column++) {
      state = (state * 1103515245 + 12345) % 2147483648
      line += glyphs[state % glyphs.length]
    }
    lines.push(line)
  }
  return lines.join('\n')
}

/** How many times faxd logged a confirmed registration. */
function registrations(output: string): number {
  return output.split('\n').filter((line) => line.includes('"msg":"registered at the SIP trunk"'))
    .length
}

/** Polls `probe` every 200 ms until it answers something other than null. */
async function until<T>(probe: () => Promise<T | null>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs
  for (;;) {
    const found = await probe()
    if (found !== null) {
      return found
    }
    if (Date.now() > deadline) {
      throw new Error(`nothing after ${withinMs} ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** faxd's logs without the API's request lines. */
function quiet(output: string): string {
  return output
    .split('\n')
    .filter((line) => !/"msg":"(incoming request|request completed)"/.test(line))
    .join('\n')
}

function explainSipp(result: SippResult, server: FaxdChild): string {
  return `sipp exit ${result.exitCode}\n${result.errorLog}\n${result.messageLog}\n${quiet(server.output())}`
}

function explain(call: TrunkCallResult): string {
  return [
    JSON.stringify(call.fax),
    `sipp exit ${call.sipp.exitCode}`,
    call.sipp.errorLog,
    call.sipp.messageLog,
    quiet(call.faxdOutput),
    call.spandsp === null ? '' : `spandsp: ${call.spandsp.report.completionText}`,
  ].join('\n')
}

/**
 * Every page spandsp received is pixel for pixel the page faxd stores for the fax (the
 * rendered document it sends), in the same order, and it received `count` of them (all, unless
 * the call was cut short).
 */
async function assertPagesArrivedIntact(call: TrunkCallResult, count?: number): Promise<void> {
  assert.ok(call.sentDocument !== null && call.receivedTiff !== null, explain(call))
  const sent = readTiff(call.sentDocument)
  const received = readTiff(call.receivedTiff)
  assert.equal(received.length, count ?? sent.length, 'pages received')
  received.forEach((page, index) => {
    assert.equal(differenceOf(page.bitmap, sent[index]!.bitmap), '', `page ${index + 1}`)
  })
}
